import type { SignedRecord } from "../../sdk/envelope";
import { ProductBatchBody } from "../../sdk/records/product-batch";
import type { Role } from "../../sdk/roles";
import { insertRows } from "../db/bulk-insert";
import { chunks, execute, insertMissing, placeholders, query } from "../db/sql";
import { HttpProblem } from "../http/problem";
import type { PublishContext, RecordObserver } from "../records/observers";

const BRAND_ROLES: readonly Role[] = ["BRAND"];

/**
 * Product codes' RecordObserver. Inside the publishing transaction it: refuses a ProductBatch from
 * an organisation without the BRAND role; claims each GTIN for the first organisation publishing a
 * batch of it and refuses a batch of a GTIN another organisation owns; and indexes the codes the
 * resolver knows (gtin + lot of each batch's latest version, and its serials). A refusal throws,
 * so the whole publication stores nothing.
 */
export class GtinOwnership implements RecordObserver {
  async onStored(records: readonly SignedRecord[], ctx: PublishContext): Promise<void> {
    const { paths } = ctx;
    const batches: { record: SignedRecord; body: ProductBatchBody; index: number }[] = [];
    records.forEach((record, index) => {
      if (record.type !== "ProductBatch") return;
      if (!BRAND_ROLES.some((r) => ctx.publisher.roles.includes(r)))
        throw new HttpProblem(403, "role-required", "Forbidden", `${paths.where(index)}: publishing a ProductBatch needs the role BRAND.`, [
          { path: paths.path(index, "type"), message: "only brand owners (role BRAND) publish product batches" },
        ]);
      // Already checked against the schema by the publish path; parsed again for its type.
      batches.push({ record, body: ProductBatchBody.parse(record.body), index });
    });
    if (batches.length === 0) return;
    await claimGtins(batches, ctx);
    await indexCodes(batches, ctx);
  }
}

async function claimGtins(batches: { record: SignedRecord; body: ProductBatchBody; index: number }[], ctx: PublishContext): Promise<void> {
  const { tx, provider, now } = ctx;
  const first = new Map<string, SignedRecord>();
  for (const b of batches) if (!first.has(b.body.gtin)) first.set(b.body.gtin, b.record);
  // A conflicting insert waits for a concurrent claimer's commit (PostgreSQL) or runs after it
  // (SQLite): exactly one organisation's row lands, and the SELECT below reads the winner.
  // In key order, so that two publications claiming overlapping GTINs cannot deadlock (PostgreSQL).
  const claims = [...first].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await insertMissing(
    tx,
    provider,
    "GtinOwner",
    "gtin",
    ["gtin", "owner", "recordId", "claimedAt"],
    claims.map(([gtin, r]) => [gtin, r.owner, r.id, now]),
  );
  const owners = new Map<string, string>();
  for (const part of chunks([...first.keys()])) {
    const rows = await query<{ gtin: string; owner: string }>(
      tx,
      provider,
      `SELECT "gtin", "owner" FROM "GtinOwner" WHERE "gtin" IN (${placeholders(1, part.length)})`,
      part,
    );
    for (const row of rows) owners.set(row.gtin, row.owner);
  }
  const refused = batches.filter((b) => owners.get(b.body.gtin) !== b.record.owner);
  if (refused.length > 0)
    throw new HttpProblem(
      403,
      "gtin-owned",
      "Forbidden",
      `GTIN ${refused[0].body.gtin} belongs to ${owners.get(refused[0].body.gtin)}: only the organisation that first published a ProductBatch of a GTIN may publish its batches.`,
      refused.map((b) => ({ path: ctx.paths.path(b.index, "body.gtin"), message: `GTIN ${b.body.gtin} is owned by ${owners.get(b.body.gtin)}` })),
    );
}

// The latest version of each batch replaces what its earlier versions said.
async function indexCodes(batches: { record: SignedRecord; body: ProductBatchBody }[], ctx: PublishContext): Promise<void> {
  const { tx, provider } = ctx;
  const latest = new Map<string, { record: SignedRecord; body: ProductBatchBody }>();
  for (const b of batches) if ((latest.get(b.record.id)?.record.version ?? 0) < b.record.version) latest.set(b.record.id, b);
  const replaced = [...latest.values()].filter((b) => b.record.version > 1).map((b) => b.record.id);
  for (const ids of chunks(replaced)) {
    await execute(tx, provider, `DELETE FROM "ProductCodeBatch" WHERE "recordId" IN (${placeholders(1, ids.length)})`, ids);
    await execute(tx, provider, `DELETE FROM "ProductCodeSerial" WHERE "recordId" IN (${placeholders(1, ids.length)})`, ids);
  }
  const items = [...latest.values()];
  await insertRows(
    tx,
    provider,
    "ProductCodeBatch",
    ["recordId", "gtin", "lot"],
    items.map(({ record, body }) => [record.id, body.gtin, body.lot]),
  );
  await insertRows(
    tx,
    provider,
    "ProductCodeSerial",
    ["gtin", "serial", "recordId", "lot"],
    items.flatMap(({ record, body }) => (body.serials ?? []).map((serial) => [body.gtin, serial, record.id, body.lot])),
  );
}
