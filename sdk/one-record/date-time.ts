/**
 * Date-times in ONE Record query parameters (`?at=`, the audit trail's window, event filters). The
 * specification gives ISO 8601 UTC in the basic format, `YYYYMMDDThhmmssZ` ("Retrieve a historical
 * Logistics Object"); clients also send the extended form (`2026-11-23T10:00:00Z`, which the OpenAPI
 * document's `format: date-time` suggests), so both are read. Fractional seconds are kept
 * (`YYYYMMDDThhmmss.sssZ`, or `hhmmssSSS` without a separator) so that a time is not rounded
 * into the wrong revision.
 */

const BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:[.,]?(\d{1,9}))?Z$/;
const EXTENDED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** The instant of a query date-time in either form; undefined for anything else (a 31 February, no zone, ...). */
export function parseQueryDateTime(raw: string): Date | undefined {
  const basic = BASIC.exec(raw);
  if (basic) {
    const [year, month, day, hour, minute, second] = basic.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const ms = basic[7] ? Math.floor(Number(`0.${basic[7]}`) * 1000) : 0;
    const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
    // Date.UTC rolls 31 February over into March: the fields must come back as given.
    const same =
      at.getUTCFullYear() === year &&
      at.getUTCMonth() === month - 1 &&
      at.getUTCDate() === day &&
      at.getUTCHours() === hour &&
      at.getUTCMinutes() === minute &&
      at.getUTCSeconds() === second;
    return same ? at : undefined;
  }
  if (!EXTENDED.test(raw)) return undefined;
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) return undefined;
  // The same roll-over check on the date part (the zone may move the instant to another day).
  const [y, m, d] = raw.slice(0, 10).split("-").map(Number) as [number, number, number];
  const local = new Date(Date.UTC(y, m - 1, d));
  return local.getUTCMonth() === m - 1 && local.getUTCDate() === d ? at : undefined;
}

/** `at` in the specification's basic format, `YYYYMMDDThhmmssZ` (with `.sss` when it has milliseconds). */
export function formatQueryDateTime(at: Date): string {
  const iso = at.toISOString(); // 2026-11-23T10:00:00.000Z
  const basic = iso.slice(0, 19).replace(/[-:]/g, "");
  const ms = iso.slice(20, 23);
  return ms === "000" ? `${basic}Z` : `${basic}.${ms}Z`;
}
