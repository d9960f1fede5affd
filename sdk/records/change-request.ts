import { z } from "zod";
import { OrgIdSchema, RecordIdSchema } from "../envelope";
import { ChangeOperationSchema } from "../one-record/change";

/**
 * A ONE Record change request as a record, signed by the party asking for the change (not by the
 * object's data holder): which object, the revision it applies to and its operations in the normal
 * form of sdk/one-record/change.ts. Its record id is the id of its action request. The body is what
 * `changeRequestBodyOf` derives from the api:Change sent with the PATCH, on the hub and in the SDK.
 * `capturedBy`: a request the hub attested for a requester that sent it unsigned (only the hub sets it).
 */
export const ChangeRequestBody = z.strictObject({
  object: RecordIdSchema,
  revision: z.number().int().min(1).max(0xffff_ffff),
  operations: z.array(ChangeOperationSchema).min(1).max(1000),
  description: z.string().max(2000).optional(),
  notifyRequestStatusChange: z.boolean().optional(),
  capturedBy: OrgIdSchema.optional(),
});
export type ChangeRequestBody = z.infer<typeof ChangeRequestBody>;
