/**
 * Wall-clock arithmetic in an IANA time zone without a date library: the answers speak in
 * the camera owner's local time, whatever the server's zone is.
 */

export interface ZonedParts {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday .. 6 = Saturday */
  weekday: number;
}

const MINUTE_MS = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The zone the process runs in (TZ), used when the caller names none. */
export function processTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local calendar fields of an instant in a zone. */
export function zonedParts(date: Date, timeZone: string): ZonedParts {
  const fields: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) fields[part.type] = part.value;
  return {
    year: Number(fields.year),
    month: Number(fields.month),
    day: Number(fields.day),
    hour: Number(fields.hour) % 24,
    minute: Number(fields.minute),
    second: Number(fields.second),
    weekday: WEEKDAYS[fields.weekday ?? 'Sun'] ?? 0,
  };
}

/** Offset of the zone from UTC at that instant, in milliseconds (Warsaw in winter: +3 600 000). */
function zoneOffsetMs(date: Date, timeZone: string): number {
  const p = zonedParts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

/**
 * The instant at which the wall clock of the zone shows the given fields. Fields may overflow
 * (day 0 = last day of the previous month, hour 24 = next midnight), as with Date.UTC.
 */
export function zonedDate(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const firstGuess = wall - zoneOffsetMs(new Date(wall), timeZone);
  const offset = zoneOffsetMs(new Date(firstGuess), timeZone);
  return new Date(wall - offset);
}

/** Local midnight of the day `dayOffset` days from the day of `now` (0 = today, -1 = yesterday). */
export function startOfZonedDay(now: Date, timeZone: string, dayOffset = 0): Date {
  const p = zonedParts(now, timeZone);
  return zonedDate(timeZone, p.year, p.month, p.day + dayOffset);
}

/** A local clock time on the day `dayOffset` days from the day of `now`. */
export function zonedClock(now: Date, timeZone: string, dayOffset: number, hour: number, minute = 0): Date {
  const p = zonedParts(now, timeZone);
  return zonedDate(timeZone, p.year, p.month, p.day + dayOffset, hour, minute);
}

/** Whole local days between the day of `date` and the day of `now` (0 = same day, 1 = yesterday). */
export function zonedDaysAgo(date: Date, now: Date, timeZone: string): number {
  const a = zonedParts(date, timeZone);
  const b = zonedParts(now, timeZone);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / (1440 * MINUTE_MS));
}

export function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** HH:MM in the zone. */
export function formatClock(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${pad2(p.hour)}:${pad2(p.minute)}`;
}
