import { createHmac } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import type { ProductCode } from "../../../sdk/provenance/digital-link";
import type { StoryScans } from "../../../sdk/provenance/story";
import type { Db, DbProvider } from "../../db/client";
import { asDate, asNumber, chunks, execute, query } from "../../db/sql";
import { scanKey } from "./code-key";

export interface ScanOptions {
  /** The key of the places' keyed hashes (SCAN_PLACE_KEY). */
  placeKey: string;
  /** A sold item warns above this many scans after the sale... */
  warnScansAfterSold: number;
  /** ...or above this many distinct places (per day) after the sale. */
  warnPlacesAfterSold: number;
}

/** The coarse network of a client address: its IPv4 /16 or IPv6 /32 (undefined if it is neither). */
export function coarseNetwork(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const v4 = address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (isIPv4(v4)) return `${v4.split(".").slice(0, 2).join(".")}.0.0/16`;
  if (!isIPv6(address)) return undefined;
  // Expand "::" to get the first two groups.
  const [head = "", tail] = address.split("::");
  const groups = head === "" ? [] : head.split(":");
  if (tail !== undefined && groups.length < 2) groups.push("0", "0");
  return `${groups
    .slice(0, 2)
    .map((g) => g.toLowerCase().padStart(4, "0"))
    .join(":")}::/32`;
}

type PlaceRow = [code: string, day: string, place: string];
const PLACE_FLUSH_MS = 200;
const RECENT_PLACES = 100_000;

type ScanRow = { count: unknown; firstAt: unknown; lastAt: unknown; soldAt: unknown; afterSold: unknown };

/**
 * Scans of product codes (anti-counterfeit). A page view is a scan: one upsert counts it (count,
 * first and last time, and scans after the item was marked sold). Its place is a keyed hash of the
 * client's coarse network, kept per code and day: no address and nothing personal is stored.
 * Places are written within PLACE_FLUSH_MS, in batches (at once for a sold item, whose warning
 * reads them).
 */
export class ScanCounter {
  /** Places waiting to be written, and places written lately (not written again). */
  private readonly pending = new Map<string, PlaceRow>();
  private readonly recent = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    private readonly opts: ScanOptions,
  ) {}

  /** The place of a client address: HMAC of its /16 or /32 network, 16 hex digits. */
  placeOf(address: string | undefined): string {
    return createHmac("sha256", this.opts.placeKey)
      .update(coarseNetwork(address) ?? "unknown")
      .digest("hex")
      .slice(0, 16);
  }

  /** Counts a scan of `code` from `address` and returns the code's scans, this one included. */
  async count(code: ProductCode, address: string | undefined, now = new Date()): Promise<StoryScans> {
    const key = scanKey(code);
    const [row] = await query<ScanRow>(
      this.db,
      this.provider,
      `INSERT INTO "ProductScan" ("code", "count", "firstAt", "lastAt", "afterSold") VALUES ($1, 1, $2, $2, 0)
       ON CONFLICT ("code") DO UPDATE SET "count" = "ProductScan"."count" + 1, "lastAt" = $2,
         "firstAt" = COALESCE("ProductScan"."firstAt", $2),
         "afterSold" = "ProductScan"."afterSold" + (CASE WHEN "ProductScan"."soldAt" IS NULL THEN 0 ELSE 1 END)
       RETURNING "count", "firstAt", "lastAt", "soldAt", "afterSold"`,
      [key, now],
    );
    const place: PlaceRow = [key, now.toISOString().slice(0, 10), this.placeOf(address)];
    // Only a sold item's places are read back (rare): stored now. Elsewhere they are written in the
    // background, in batches, so the page pays one upsert.
    if (row && row.soldAt !== null && code.serial !== undefined) await this.storePlaces([place]);
    else this.queuePlace(place);
    return this.view(code, row);
  }

  private queuePlace(place: PlaceRow): void {
    const id = place.join("|");
    if (this.recent.has(id)) return; // already stored today
    this.pending.set(id, place);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const rows = [...this.pending.values()];
      this.pending.clear();
      this.storePlaces(rows).catch((err: unknown) => console.error("[hub] scan places not stored:", err));
    }, PLACE_FLUSH_MS);
    this.flushTimer.unref();
  }

  private async storePlaces(rows: PlaceRow[]): Promise<void> {
    for (const part of chunks(rows, 1000)) {
      await execute(
        this.db,
        this.provider,
        `INSERT INTO "ProductScanPlace" ("code", "day", "place") VALUES ${part.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(", ")} ON CONFLICT DO NOTHING`,
        part.flat(),
      );
    }
    for (const r of rows) {
      this.recent.add(r.join("|"));
      if (this.recent.size > RECENT_PLACES) this.recent.delete(this.recent.values().next().value!);
    }
  }

  /** The scans of `code`, without counting one. */
  async read(code: ProductCode): Promise<StoryScans> {
    const [row] = await query<ScanRow>(
      this.db,
      this.provider,
      `SELECT "count", "firstAt", "lastAt", "soldAt", "afterSold" FROM "ProductScan" WHERE "code" = $1`,
      [scanKey(code)],
    );
    return this.view(code, row);
  }

  private async view(code: ProductCode, row: ScanRow | undefined): Promise<StoryScans> {
    if (!row) return { count: 0, copyWarning: false };
    const firstAt = asDate(row.firstAt);
    const lastAt = asDate(row.lastAt);
    const soldAt = asDate(row.soldAt);
    const scans: StoryScans = {
      count: asNumber(row.count),
      ...(firstAt ? { firstAt: firstAt.toISOString() } : {}),
      ...(lastAt ? { lastAt: lastAt.toISOString() } : {}),
      copyWarning: false,
    };
    if (!soldAt || code.serial === undefined) return scans;
    const [places] = await query<{ n: unknown }>(
      this.db,
      this.provider,
      `SELECT COUNT(DISTINCT "place") AS "n" FROM "ProductScanPlace" WHERE "code" = $1 AND "day" >= $2`,
      [scanKey(code), soldAt.toISOString().slice(0, 10)],
    );
    const scansAfterSold = asNumber(row.afterSold);
    const placesAfterSold = asNumber(places?.n ?? 0);
    return {
      ...scans,
      soldAt: soldAt.toISOString(),
      scansAfterSold,
      placesAfterSold,
      copyWarning: scansAfterSold > this.opts.warnScansAfterSold || placesAfterSold > this.opts.warnPlacesAfterSold,
    };
  }
}
