/**
 * EPCIS query schedules (EPCIS 2.0 §8.2.5.3, the REST binding's `schedule`): each field is a list of
 * numbers and ranges, `Element ("," Element)*` with `Element ::= Number | "[" Number "-" Number "]"`;
 * a time matches when every field given matches it (an omitted field matches any value). Times are
 * UTC (the standard lets the service choose its time zone), to the second.
 */

export const SCHEDULE_FIELDS = ["second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek"] as const;
export type ScheduleField = (typeof SCHEDULE_FIELDS)[number];
export type QuerySchedule = Partial<Record<ScheduleField, string>>;

/** Each field's legal range (dayOfWeek: 1 Monday .. 7 Sunday). */
const RANGES: Record<ScheduleField, [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [1, 7],
};

/** A schedule field that breaks the grammar or its range (the standard's SubscriptionControlsException). */
export class ScheduleError extends Error {
  constructor(
    readonly field: ScheduleField | "schedule",
    message: string,
  ) {
    super(message);
  }
}

type Matcher = (value: number) => boolean;
type Parsed = Partial<Record<ScheduleField, Matcher>>;

const NUMBER = /^\d{1,4}$/;
const RANGE = /^\[(\d{1,4})-(\d{1,4})\]$/;

function parseField(field: ScheduleField, text: string): Matcher {
  const [low, high] = RANGES[field];
  const inRange = (n: number) => {
    if (n < low || n > high) throw new ScheduleError(field, `${field}: ${n} is outside ${low}-${high}`);
    return n;
  };
  const allowed = new Set<number>();
  for (const element of text.split(",")) {
    const range = RANGE.exec(element);
    if (range) {
      const from = inRange(Number(range[1]));
      const to = inRange(Number(range[2]));
      if (from > to) throw new ScheduleError(field, `${field}: the range [${from}-${to}] starts after it ends`);
      for (let n = from; n <= to; n++) allowed.add(n);
    } else if (NUMBER.test(element)) {
      allowed.add(inRange(Number(element)));
    } else {
      throw new ScheduleError(field, `${field}: "${element}" is neither a number nor a range like [1-5] (elements are separated by ",")`);
    }
  }
  return (v) => allowed.has(v);
}

/** The schedule's matchers; throws ScheduleError naming the field that breaks the grammar. */
export function parseSchedule(schedule: QuerySchedule): Parsed {
  const out: Parsed = {};
  for (const field of SCHEDULE_FIELDS) {
    const text = schedule[field];
    if (text !== undefined) out[field] = parseField(field, text);
  }
  return out;
}

const DAY_MS = 86_400_000;
/** How far ahead a schedule is searched: one that never matches in this time never will (e.g. 31 February). */
const HORIZON_DAYS = 366 * 8;

const any: Matcher = () => true;

/**
 * The first query time strictly after `after` (to the second, UTC), or null when the schedule never
 * matches (a day that no month has, or a day of the month that never falls on the weekday asked).
 */
export function nextQueryTime(schedule: QuerySchedule, after: Date): Date | null {
  const p = parseSchedule(schedule);
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = SCHEDULE_FIELDS.map((f) => p[f] ?? any) as Matcher[];
  const start = Math.floor(after.getTime() / 1000) * 1000 + 1000;
  const firstDay = Math.floor(start / DAY_MS) * DAY_MS;
  for (let d = 0; d < HORIZON_DAYS; d++) {
    const day = new Date(firstDay + d * DAY_MS);
    const weekday = day.getUTCDay() === 0 ? 7 : day.getUTCDay();
    if (!month!(day.getUTCMonth() + 1) || !dayOfMonth!(day.getUTCDate()) || !dayOfWeek!(weekday)) continue;
    for (let h = 0; h < 24; h++) {
      if (!hour!(h)) continue;
      const hourStart = day.getTime() + h * 3_600_000;
      if (hourStart + 3_600_000 <= start) continue;
      for (let m = 0; m < 60; m++) {
        if (!minute!(m)) continue;
        const minuteStart = hourStart + m * 60_000;
        if (minuteStart + 60_000 <= start) continue;
        for (let s = 0; s < 60; s++) {
          const t = minuteStart + s * 1000;
          if (t >= start && second!(s)) return new Date(t);
        }
      }
    }
  }
  return null;
}
