import { z } from "zod";
import { OrgIdSchema } from "../envelope";
import { classSchema } from "../one-record/model";

/**
 * A ONE Record logistics object (or ONE Record event) as a record: `objectType` is its cargo class,
 * the other fields its cargo properties by local name with their JSON-LD values (sdk/one-record/jsonld.ts).
 * `capturedBy` marks a hub-attested object: the hub signed it (as the operator) for that organisation,
 * which wrote it without signing; only the hub may set it (never a cargo property).
 */
export const LogisticsObjectBody = z
  .looseObject({
    objectType: z.string().regex(/^[A-Z][A-Za-z0-9]{0,63}$/, "objectType is a class of the cargo ontology by local name, e.g. Shipment"),
    additionalTypes: z.array(z.string().min(1)).min(1).optional(),
    capturedBy: OrgIdSchema.optional(),
  })
  .superRefine((body, ctx) => {
    const { objectType, additionalTypes: _types, capturedBy: _by, ...props } = body;
    const r = classSchema(objectType).safeParse(props);
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
  });
export type LogisticsObjectBody = z.infer<typeof LogisticsObjectBody>;
