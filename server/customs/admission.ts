import type { DocumentKind } from "../../sdk/records/customs-common";
import type { OrderBody } from "../../sdk/records/order";

/**
 * Which documents count in a customs case (docs/customs.md, "Who is a party of a case"). The order
 * is the platform's: its platform's own documents always count, and another organisation's document
 * counts only where the case's order names that organisation for that kind of document. A document
 * from anyone else takes no part in the case at all (no match, no finding, no grant, no
 * notification). Pure: the indexer and the matcher decide with the same function, so the answer
 * holds in every order of arrival.
 */

/** The parties an order names, by the kind of document each may contribute. */
export interface NamedParties {
  PAYMENT?: string;
  WAYBILL?: string;
  DECLARATION?: string;
}

/** The parties named in an order's body (none without an order). */
export function namedParties(order: Pick<OrderBody, "paymentProvider" | "logisticsProvider" | "declarant"> | undefined): NamedParties {
  const named: NamedParties = {};
  if (order?.paymentProvider) named.PAYMENT = order.paymentProvider;
  if (order?.logisticsProvider) named.WAYBILL = order.logisticsProvider;
  if (order?.declarant) named.DECLARATION = order.declarant;
  return named;
}

/** Whether a document of `kind` published by `owner` counts in a case of `platform` whose order names `named`. */
export function counts(platform: string, named: NamedParties, kind: DocumentKind, owner: string): boolean {
  return owner === platform || (kind !== "ORDER" && named[kind] === owner);
}

/** What admission needs of a case document. */
export interface AdmissionDocument {
  kind: DocumentKind;
  recordId: string;
  version: number;
  owner: string;
  body?: unknown;
}

/**
 * The order that names a case's parties: the one the matcher compares, i.e. the first Order record by
 * record id (at its latest version). Two orders are a duplicate-document finding; they never both name.
 */
export function namingOrder<D extends AdmissionDocument>(documents: readonly D[]): D | undefined {
  let chosen: D | undefined;
  for (const d of documents) {
    if (d.kind !== "ORDER") continue;
    if (!chosen || d.recordId < chosen.recordId || (d.recordId === chosen.recordId && d.version > chosen.version)) chosen = d;
  }
  return chosen;
}

/** The documents of a case that count (in their given order). */
export function admittedDocuments<D extends AdmissionDocument>(platform: string, documents: readonly D[]): D[] {
  const named = namedParties(namingOrder(documents)?.body as OrderBody | undefined);
  return documents.filter((d) => counts(platform, named, d.kind, d.owner));
}
