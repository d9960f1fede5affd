import type { HubClient } from "./client";
import { CustodyChainSchema, CustodyHandoverListSchema, type CustodyChain, type CustodyHandoverView } from "./custody";

/**
 * The custody routes for a HubClient (docs/custody.md). Publishing handovers and receipts is
 * `client.publish("CustodyHandover" | "CustodyReceipt", body)`: these read the hub's index of them.
 */

/** Handovers naming the caller as receiver (default) or handed over by it; `status: "pending"`: awaiting the receiver's answer. */
export async function custodyHandovers(
  client: HubClient,
  opts: { as?: "receiver" | "hander"; status?: "pending" | "one-sided" | "countersigned" | "refused"; limit?: number } = {},
): Promise<CustodyHandoverView[]> {
  const q = new URLSearchParams(Object.entries(opts).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))).toString();
  return (await client.call("GET", `/v1/custody/handovers${q ? `?${q}` : ""}`, CustodyHandoverListSchema)).handovers;
}

/** The custody chain of a piece, ULD or package up to `at` (default now), and its holder then, from what the caller may read. */
export function custodyChain(client: HubClient, item: string, at?: Date): Promise<CustodyChain> {
  const q = new URLSearchParams({ item, ...(at ? { at: at.toISOString() } : {}) }).toString();
  return client.call("GET", `/v1/custody?${q}`, CustodyChainSchema);
}
