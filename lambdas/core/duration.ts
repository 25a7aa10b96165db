/**
 * Durations as the configuration writes them: a whole number and one unit, `s`, `m`, `h` or `d` – `"90s"`, `"15m"`,
 * `"24h"`, `"13d"`. One unit only, so that a value reads the same to everyone (`"1d12h"` is written `"36h"`).
 */
const DURATION = /^(\d{1,7})(s|m|h|d)$/;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** What a duration looks like, for error messages. */
export const DURATION_FORMAT = 'a whole number and a unit: s, m, h or d (e.g. "90m", "24h", "13d")';

/** The seconds of a duration (`"24h"` → 86400), or undefined when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

/** The seconds of a duration already validated by the configuration; throws, naming it, for anything else. */
export function durationSeconds(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new Error(`not a duration: ${JSON.stringify(text)} (${DURATION_FORMAT})`);
  return seconds;
}

/**
 * A number of seconds the way people read a schedule, exactly: `45 s`, `7½ min` for 450 s, `15 min 30 s`,
 * `24 h 15 min`, `3 d 2 h`. Units that are zero are left out.
 */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600 && seconds % 60 === 30) return `${Math.floor(seconds / 60)}½ min`;
  const days = seconds >= 2 * 86_400 ? Math.floor(seconds / 86_400) : 0;
  const rest = seconds - days * 86_400;
  const parts: Array<[number, string]> = [
    [days, 'd'],
    [Math.floor(rest / 3600), 'h'],
    [Math.floor((rest % 3600) / 60), 'min'],
    [rest % 60, 's'],
  ];
  return parts
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(' ');
}
