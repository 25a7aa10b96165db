/**
 * `npx tsx scripts/retry-schedule.ts [config.json]`
 *
 * Prints the retry schedule of a configuration's `delivery` settings (default: the defaults) as a Markdown table:
 * for each attempt of a delivery that keeps failing, when it is made and how long the sender then waits, between the
 * shortest and the longest jitter, up to the attempt after which the delivery is dead-lettered. Computed by the
 * sender's own policy (`retrySchedule`, lambdas/sender/backoff.ts); docs/RELIABILITY.md holds the default's table,
 * which test/unit/retry-horizon.test.ts compares with this output, so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { parseConfig, TrackingConfig } from '../lambdas/config/schema';
import { formatSeconds } from '../lambdas/core/duration';
import { retryPolicyOf, retrySchedule, ScheduledAttempt } from '../lambdas/sender/backoff';

/** `a` alone when both bounds agree, else `a – b`. */
function range(shortest: number, longest: number): string {
  return shortest === longest ? formatSeconds(shortest) : `${formatSeconds(shortest)} – ${formatSeconds(longest)}`;
}

/** `1st`, `2nd`, `101st`, `197th`. */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** `7` or `7–100`. */
const span = (first: number, last: number) => (first === last ? String(first) : `${first}–${last}`);

/**
 * The schedule as Markdown lines: a row per attempt while the waits still grow, one row for the attempts that all wait
 * the capped delay, and the last attempt; then a sentence with the totals.
 */
export function scheduleTable(delivery: TrackingConfig['delivery']): string[] {
  const policy = retryPolicyOf(delivery);
  const shortest = retrySchedule(policy, () => 0);
  const longest = retrySchedule(policy, () => 1);
  const lastShort = shortest[shortest.length - 1]!;
  const lastLong = longest[longest.length - 1]!;
  const lines = ['| attempt | made after the first attempt | then waits |', '| --- | --- | --- |'];
  const row = (attempt: string, at: string, wait: string) => lines.push(`| ${attempt} | ${at} | ${wait} |`);
  // While a delay still grows (in either bound) each attempt gets its row; from there on every wait is the cap.
  const [capShort, capLong] = [capOf(shortest), capOf(longest)];
  let attempt = 1;
  while (attempt < Math.min(lastShort.attempt, lastLong.attempt)) {
    const [s, l] = [shortest[attempt - 1]!, longest[attempt - 1]!];
    row(String(attempt), range(s.atSeconds, l.atSeconds), range(s.delaySeconds!, l.delaySeconds!));
    attempt++;
    if (s.delaySeconds === capShort && l.delaySeconds === capLong) break;
  }
  const lastBefore = Math.max(lastShort.attempt, lastLong.attempt) - 1;
  if (attempt <= lastBefore) {
    const [s, l] = [shortest[attempt - 1]!, longest[attempt - 1]!];
    const waits = range(capShort, capLong);
    row(`${attempt} and later`, `${range(s.atSeconds, l.atSeconds)}, then every ${waits}`, waits);
  }
  const lastAttempt =
    lastLong.attempt === lastShort.attempt
      ? `last: the ${ordinal(lastLong.attempt)}`
      : `last: the ${ordinal(lastLong.attempt)} (longest waits) to the ${ordinal(lastShort.attempt)} (shortest)`;
  row(lastAttempt, range(Math.min(lastShort.atSeconds, lastLong.atSeconds), Math.max(lastShort.atSeconds, lastLong.atSeconds)), 'dead-lettered');
  lines.push(
    '',
    `With \`retryFor\` ${delivery.retryFor}, \`retryBaseSeconds\` ${delivery.retryBaseSeconds}, \`maxRetryDelay\` ${delivery.maxRetryDelay} ` +
      `and \`maxAttempts\` ${delivery.maxAttempts}, a delivery that keeps failing makes ${span(lastLong.attempt, lastShort.attempt)} attempts ` +
      `and is dead-lettered ${range(Math.min(lastShort.atSeconds, lastLong.atSeconds), Math.max(lastShort.atSeconds, lastLong.atSeconds))} ` +
      'after its first attempt (the time the calls themselves take comes on top).',
  );
  return lines;
}

/** The longest wait a schedule reaches: its capped delay. */
function capOf(schedule: ScheduledAttempt[]): number {
  return Math.max(0, ...schedule.map((a) => a.delaySeconds ?? 0));
}

function main(argv: string[]): number {
  const [path] = argv;
  const config = parseConfig(path ? JSON.parse(readFileSync(path, 'utf8')) : { vendors: {} });
  for (const line of scheduleTable(config.delivery)) console.log(line);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
