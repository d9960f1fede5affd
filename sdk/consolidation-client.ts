import type { HubClient } from "./client";
import { ConsolidationViewSchema, type ConsolidationView } from "./consolidation";

/**
 * The consolidation index for a HubClient (docs/consolidation.md). Publishing consolidations and
 * splits is `client.publish("Consolidation" | "ConsignmentSplit", body)`: this reads the hub's index.
 */

/** What contains the parcel, piece, ULD or waybill `id` and what it contains, as of `at` (default now), from what the caller may read. */
export function consolidation(client: HubClient, id: string, at?: Date): Promise<ConsolidationView> {
  const q = new URLSearchParams({ id, ...(at ? { at: at.toISOString() } : {}) }).toString();
  return client.call("GET", `/v1/consolidation?${q}`, ConsolidationViewSchema);
}
