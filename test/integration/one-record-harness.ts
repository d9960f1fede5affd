// What the ONE Record tests share: a ONE Record client for a test organisation, and the refusal a
// call ends in.
import { HubError } from "../../sdk/client";
import { OneRecordClient } from "../../sdk/one-record/client";
import type { TestOrg } from "./harness";

export const oneRecordClient = (org: TestOrg): OneRecordClient => new OneRecordClient({ hub: org.client, orgId: org.id, privateKey: org.key.privateKey });

/** The HubError `p` fails with; fails the test if `p` succeeds or fails otherwise. */
export async function failure(p: Promise<unknown>): Promise<HubError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HubError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

/** The kinds of the notifications `org` received about an action request, oldest first. */
export const actionRequestKinds = async (org: TestOrg, actionRequest: string): Promise<string[]> =>
  (await org.client.notifications(0, 1000)).notifications.filter((n) => n.detail?.actionRequest === actionRequest).map((n) => n.kind);
