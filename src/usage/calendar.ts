/**
 * The days and months usage is counted in: UTC, so every instance, whatever its time zone, closes
 * a day at the same moment, and a budget resets at one instant for everyone. A day is written
 * `YYYY-MM-DD`, which sorts as it reads.
 */

const DAY_MS = 86_400_000;

/** The UTC day of `ms` (epoch milliseconds), `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The first day of `day`'s month. */
export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** When the UTC day of `ms` ends: the next midnight, in epoch milliseconds. */
export function nextDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS + DAY_MS;
}

/** When the UTC month of `ms` ends: the first of the next month, in epoch milliseconds. */
export function nextMonthStart(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** Whether `text` is a real calendar day written `YYYY-MM-DD` (2026-02-30 is not). */
export function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  // Runtimes differ on 2026-02-30: NaN, or 2 March. Either way it is not a day.
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && utcDay(ms) === text;
}
