import { z } from "zod";
import { OrgIdSchema } from "../envelope";

/**
 * An anchored copy of a logistics object held by another ONE Record server (issue 15, "server to
 * server"): the hub subscribed to it for a member, and on each notification fetched it from that
 * server's own ONE Record API. Always hub-attested (`capturedBy`: the member it subscribed for): the
 * hub states "this is what `sourceIri` answered, as revision `revision`, at `receivedAt`", nothing
 * about whether the remote server told the truth. `object` is the JSON-LD as received.
 */
export const RemoteObjectCopyBody = z.strictObject({
  sourceIri: z.url({ protocol: /^https?$/ }).max(2048),
  revision: z.number().int().min(1),
  receivedAt: z.iso.datetime(),
  object: z.record(z.string(), z.unknown()),
  capturedBy: OrgIdSchema.optional(),
});
export type RemoteObjectCopyBody = z.infer<typeof RemoteObjectCopyBody>;
