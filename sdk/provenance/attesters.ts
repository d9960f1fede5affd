import { z } from "zod";
import type { SignedRecord } from "../envelope";
import { ProductPartner } from "../records/product-batch";

/**
 * Who may speak on a product's public page (issue 12, "who may say what"), one rule shared by the
 * hub (which leaves everyone else out) and the page's script (which checks the hub kept to it):
 * - `brand`: the GTIN's owner, who published the product's batches;
 * - `partner`: an organisation the brand named in a batch's `partners` (signed and anchored);
 * - `certifier`: the publisher of a Certification who is neither (the hub accepts a certification
 *   only from a publisher its authority check allows);
 * - `hub`: the hub itself, attesting an EPCIS event for a standard client; the event then speaks
 *   for its capturer, who must be the brand or a partner.
 */
export const ATTESTER_KINDS = ["brand", "partner", "certifier", "hub"] as const;
export const AttesterKindSchema = z.enum(ATTESTER_KINDS);
export type AttesterKind = z.infer<typeof AttesterKindSchema>;

/** Whom a product's page lets speak: its brand and the partners its batches name. */
export interface ProductAuthority {
  brand: string;
  partners: ReadonlySet<string>;
}

const Partners = z.array(ProductPartner);

/** The partners a batch body names (none if it names none, or names them in a shape not its schema's). */
export function partnersOf(batchBody: Record<string, unknown>): ProductPartner[] {
  const parsed = Partners.safeParse(batchBody.partners ?? []);
  return parsed.success ? parsed.data : [];
}

/**
 * The authority of a product's page: the brand, and the partners named by the brand's batches among
 * `batches` (a batch of anyone else names nobody).
 */
export function productAuthority(brand: string, batches: readonly Pick<SignedRecord, "owner" | "body">[]): ProductAuthority {
  const partners = new Set<string>();
  for (const b of batches) if (b.owner === brand) for (const p of partnersOf(b.body)) partners.add(p.org);
  return { brand, partners };
}

/**
 * The record types the hub attests for a member that wrote without signing (owner: the operator,
 * `capturedBy`: the member): EPCIS events captured through the EPCIS interface, and ONE Record
 * objects, events and change requests written by plain ONE Record clients, and the EPCIS master
 * data (names and addresses of locations and parties) of a capture document's header, and the
 * anchored copies of another ONE Record server's objects the hub keeps for a member that subscribed
 * to them. The hub refuses `capturedBy` from anyone but itself; on any other type it means nothing.
 */
export const HUB_ATTESTED_TYPES: readonly string[] = ["EpcisEvent", "LogisticsObject", "ChangeRequest", "EpcisMasterData", "RemoteObjectCopy"];

/**
 * The party a record speaks for: the organisation the hub attested it for (its `capturedBy`), else
 * its owner. For a hub-attested ONE Record object that party is also its data holder.
 */
export function speakerOf(record: Pick<SignedRecord, "type" | "owner" | "body">): string {
  const capturedBy = HUB_ATTESTED_TYPES.includes(record.type) ? record.body.capturedBy : undefined;
  return typeof capturedBy === "string" ? capturedBy : record.owner;
}

/** The kind of the party `orgId` on the page, if it may state facts other than certifications. */
export function partyKind(orgId: string, authority: ProductAuthority): "brand" | "partner" | undefined {
  if (orgId === authority.brand) return "brand";
  return authority.partners.has(orgId) ? "partner" : undefined;
}

/**
 * The kind of attester of `record` on the page, or undefined when its speaker may not speak about
 * the product (the record never appears). For a hub-attested event, the kind of its capturer.
 */
export function speakerKind(record: Pick<SignedRecord, "type" | "owner" | "body">, authority: ProductAuthority): Exclude<AttesterKind, "hub"> | undefined {
  const kind = partyKind(speakerOf(record), authority);
  if (kind) return kind;
  return record.type === "Certification" ? "certifier" : undefined;
}
