export const SECONDS_PER_DAY = 86_400;

/** Epoch seconds, the unit of DynamoDB's TTL attribute. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Epoch seconds rounded up: a TTL that never ends before `date`, as a floor could by up to a second. */
export function epochSecondsCeil(date: Date): number {
  return Math.ceil(date.getTime() / 1000);
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Days in `month` (1–12) of `year`, in the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A caller's date: `2026-11-01` (UTC midnight) or an ISO 8601 date-time with its offset (`2026-11-01T10:00Z`,
 * `2026-11-01T10:00:00.123+01:00`). Undefined for anything else – in particular for a day its month does not have
 * (`2026-02-30`, `2027-02-29`, `2026-04-31`), an hour 24, a minute or second 60 or an offset beyond ±23:59, which
 * `Date.parse` would roll over into another day instead of refusing.
 */
export function parseDateOrDateTime(value: string): Date | undefined {
  const date = DATE.exec(value);
  const time = date ? undefined : DATE_TIME.exec(value);
  const parts = date ?? time;
  if (!parts) return undefined;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const [hour, minute, second] = time ? [Number(time[4]), Number(time[5]), Number(time[6] ?? 0)] : [0, 0, 0];
  const millisecond = time?.[7] ? Number(time[7].padEnd(3, '0')) : 0;
  const [offsetHours, offsetMinutes] = time?.[8] ? [Number(time[9]), Number(time[10])] : [0, 0];
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // setUTCFullYear, not Date.UTC, which reads the years 0–99 as 1900–1999.
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute, second, millisecond);
  const offset = (time?.[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return new Date(at.getTime() - offset * 60_000);
}
