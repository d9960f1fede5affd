import { z } from "zod";
import { classSchema } from "../one-record/model";

/**
 * A ONE Record logistics object (or ONE Record event) as a record: `objectType` is its cargo class,
 * the other fields its cargo properties by local name with their JSON-LD values (sdk/one-record/jsonld.ts).
 */
export const LogisticsObjectBody = z
  .looseObject({
    objectType: z.string().regex(/^[A-Z][A-Za-z0-9]{0,63}$/, "objectType is a class of the cargo ontology by local name, e.g. Shipment"),
    additionalTypes: z.array(z.string().min(1)).min(1).optional(),
  })
  .superRefine((body, ctx) => {
    const { objectType, additionalTypes: _types, ...props } = body;
    const r = classSchema(objectType).safeParse(props);
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
  });
export type LogisticsObjectBody = z.infer<typeof LogisticsObjectBody>;
