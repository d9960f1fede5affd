import type { GtinLink, GtinLinksView } from "../../sdk/provenance/gtin-links";
import type { Db, DbProvider } from "../db/client";
import { writeTransaction } from "../db/client";
import { insertRows } from "../db/bulk-insert";
import { asDate, execute, query, type Runner } from "../db/sql";

/** Storage of GTIN ownership (read side) and of the links each owner sets. */

export async function gtinOwner(db: Runner, provider: DbProvider, gtin: string): Promise<{ owner: string; linksUpdatedAt: Date | null } | undefined> {
  const [row] = await query<{ owner: string; linksUpdatedAt: unknown }>(db, provider, `SELECT "owner", "linksUpdatedAt" FROM "GtinOwner" WHERE "gtin" = $1`, [
    gtin,
  ]);
  return row ? { owner: row.owner, linksUpdatedAt: asDate(row.linksUpdatedAt) } : undefined;
}

interface LinkRow {
  lot: string;
  serial: string;
  linkType: string;
  href: string;
  title: string;
  hreflang: string | null;
  mediaType: string | null;
  isDefault: number | boolean | bigint;
}

function toLink(row: LinkRow): GtinLink {
  return {
    linkType: row.linkType as GtinLink["linkType"],
    href: row.href,
    title: row.title,
    ...(row.hreflang ? { hreflang: JSON.parse(row.hreflang) as string[] } : {}),
    ...(row.mediaType ? { type: row.mediaType } : {}),
    ...(row.lot ? { lot: row.lot } : {}),
    ...(row.serial ? { serial: row.serial } : {}),
    ...(Number(row.isDefault) ? { default: true } : {}),
  };
}

/** The owner's links of a GTIN, in the order the owner gave them. */
export async function readLinks(db: Runner, provider: DbProvider, gtin: string): Promise<GtinLink[]> {
  const rows = await query<LinkRow>(
    db,
    provider,
    `SELECT "lot", "serial", "linkType", "href", "title", "hreflang", "mediaType", "isDefault" FROM "GtinLink" WHERE "gtin" = $1 ORDER BY "position"`,
    [gtin],
  );
  return rows.map(toLink);
}

/** The public view of a GTIN's links; undefined when no organisation owns the GTIN. */
export async function linksView(db: Runner, provider: DbProvider, gtin: string): Promise<GtinLinksView | undefined> {
  const owner = await gtinOwner(db, provider, gtin);
  if (!owner) return undefined;
  return { gtin, owner: owner.owner, links: await readLinks(db, provider, gtin), updatedAt: owner.linksUpdatedAt?.toISOString() ?? null };
}

/** Replaces a GTIN's whole link set (the caller has checked ownership). */
export async function replaceLinks(db: Db, provider: DbProvider, gtin: string, links: readonly GtinLink[], now: Date): Promise<void> {
  await writeTransaction(db, async (tx) => {
    await execute(tx, provider, `DELETE FROM "GtinLink" WHERE "gtin" = $1`, [gtin]);
    await insertRows(
      tx,
      provider,
      "GtinLink",
      ["gtin", "position", "lot", "serial", "linkType", "href", "title", "hreflang", "mediaType", "isDefault"],
      links.map((l, i) => [
        gtin,
        i,
        l.lot ?? "",
        l.serial ?? "",
        l.linkType,
        l.href,
        l.title,
        l.hreflang ? JSON.stringify(l.hreflang) : null,
        l.type ?? null,
        l.default ? 1 : 0,
      ]),
    );
    await execute(tx, provider, `UPDATE "GtinOwner" SET "linksUpdatedAt" = $2 WHERE "gtin" = $1`, [gtin, now]);
  });
}
