/**
 * The retry horizon: durations in the configuration, the settings' bounds, the policy that decides between another
 * attempt and the dead-letter queue, and the schedule docs/RELIABILITY.md prints – generated here from that policy, so
 * that the document cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, parseConfig } from '../../lambdas/config/schema';
import { formatSeconds, parseDuration } from '../../lambdas/core/duration';
import { afterFailure, retryDelaySeconds, retryPolicyOf, retrySchedule } from '../../lambdas/sender/backoff';
import { scheduleTable } from '../../scripts/retry-schedule';
import { configIssues } from '../support/config-issues';

const issuesOf = configIssues(configSchema, { vendors: {} });

const HOUR = 3600;
const DAY = 24 * HOUR;

describe('durations', () => {
  it.each([
    ['0s', 0],
    ['90s', 90],
    ['90m', 5400],
    ['24h', DAY],
    ['13d', 13 * DAY],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '24', 'h', '1.5h', '-1h', '24 h', ' 24h', '24H', '1d12h', '24hours', '12345678s'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [45, '45 s'],
    [450, '7½ min'],
    [930, '15½ min'],
    [105, '1 min 45 s'],
    [DAY + 15, '24 h 15 s'],
    [DAY + 7 * 60, '24 h 7 min'],
    [13 * DAY + 30, '13 d 30 s'],
  ])('writes %i seconds as %s', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });
});

describe('delivery settings', () => {
  it('retries for 24 hours by default, waiting at most 15 minutes between two attempts', () => {
    expect(parseConfig({ vendors: {} }).delivery).toMatchObject({ maxAttempts: 5, retryFor: '24h', retryBaseSeconds: 30, maxRetryDelay: '15m' });
    expect(parseConfig({ vendors: {}, delivery: { timeoutMs: 3000 } }).delivery).toMatchObject({ retryFor: '24h', maxRetryDelay: '15m' });
  });

  it('accepts horizons from none ("0s") to 13 days', () => {
    for (const retryFor of ['0s', '90m', '24h', '13d']) expect(parseConfig({ vendors: {}, delivery: { retryFor } }).delivery.retryFor).toBe(retryFor);
  });

  it.each([
    ['maxAttempts below 5, AWS’s advice for an SQS source', { maxAttempts: 4 }, 'delivery.maxAttempts', /at least 5/],
    ['maxAttempts above SQS’s highest maxReceiveCount', { maxAttempts: 1001 }, 'delivery.maxAttempts', /at most 1000/],
    ['a horizon beyond 13 days', { retryFor: '14d' }, 'delivery.retryFor', /at most 13d/],
    ['a horizon that is no duration', { retryFor: 'forever' }, 'delivery.retryFor', /must be a duration/],
    ['a horizon as a number', { retryFor: 86400 }, 'delivery.retryFor', /string/],
    ['a wait beyond SQS’s longest delay', { maxRetryDelay: '16m' }, 'delivery.maxRetryDelay', /at most 15m/],
    ['no wait at all', { maxRetryDelay: '0s' }, 'delivery.maxRetryDelay', /at least 1 s/],
    ['a base of 0 with a horizon: a loop on the vendor', { retryBaseSeconds: 0 }, 'delivery.retryBaseSeconds', /retryFor "0s"/],
  ])('refuses %s, naming the field', (_, delivery, field, message) => {
    const issues = issuesOf({ delivery });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    expect(issues[0]).toMatch(message);
  });

  it('allows a base of 0 without a horizon: maxAttempts attempts at once (tests)', () => {
    expect(parseConfig({ vendors: {}, delivery: { retryBaseSeconds: 0, retryFor: '0s' } }).delivery).toMatchObject({ retryBaseSeconds: 0, retryFor: '0s' });
  });

  it('refuses a horizon longer than the order is kept', () => {
    expect(issuesOf({ retentionDays: 7, delivery: { retryFor: '8d' } })).toEqual([expect.stringMatching(/^delivery\.retryFor: .*retentionDays/)]);
    expect(parseConfig({ vendors: {}, retentionDays: 7, delivery: { retryFor: '7d' } }).delivery.retryFor).toBe('7d');
  });
});

describe('the retry policy', () => {
  const policy = retryPolicyOf(parseConfig({ vendors: {} }).delivery);

  it('caps every wait at maxRetryDelay, Retry-After included', () => {
    expect(retryDelaySeconds(20, 30, () => 1, undefined, 900)).toBe(900);
    expect(retryDelaySeconds(20, 30, () => 0, undefined, 900)).toBe(450);
    expect(retryDelaySeconds(1, 30, () => 0, 3600, 900)).toBe(900);
    expect(retryDelaySeconds(3, 1, () => 0.5, undefined, 2)).toBe(2);
  });

  it('dead-letters only once both the horizon and the attempts are spent', () => {
    expect(afterFailure(policy, 5, DAY - 1, () => 0.5)).toMatchObject({ kind: 'retry' });
    expect(afterFailure(policy, 4, DAY + 1, () => 0.5)).toMatchObject({ kind: 'retry' });
    expect(afterFailure(policy, 5, DAY, () => 0.5)).toEqual({ kind: 'dead-letter' });
    expect(afterFailure({ ...policy, retryForSeconds: 0 }, 5, 0, () => 0.5)).toEqual({ kind: 'dead-letter' });
  });

  it.each([
    ['shortest', () => 0],
    ['longest', () => 1],
  ])('with the defaults and the %s waits, keeps retrying for at least 24 hours, every 15 minutes at most', (_, random) => {
    const schedule = retrySchedule(policy, random);
    const last = schedule[schedule.length - 1]!;
    // Was 5 attempts and 7½ minutes at most.
    expect(last.atSeconds).toBeGreaterThanOrEqual(DAY);
    expect(last.atSeconds).toBeLessThan(DAY + 900);
    expect(last.delaySeconds).toBeUndefined();
    for (const attempt of schedule.slice(0, -1)) expect(attempt.delaySeconds).toBeLessThanOrEqual(900);
    expect(schedule.slice(0, 6).map((a) => a.delaySeconds)).toEqual(random() === 0 ? [15, 30, 60, 120, 240, 450] : [30, 60, 120, 240, 480, 900]);
  });

  it('reaches 13 days at the longest horizon, in 1,253–2,501 attempts (docs/RELIABILITY.md)', () => {
    const longest = retrySchedule({ ...policy, retryForSeconds: 13 * DAY }, () => 1);
    const shortest = retrySchedule({ ...policy, retryForSeconds: 13 * DAY }, () => 0);
    expect(longest[longest.length - 1]!.atSeconds).toBeGreaterThanOrEqual(13 * DAY);
    expect([longest.length, shortest.length]).toEqual([1253, 2501]);
  });
});

describe('docs/RELIABILITY.md', () => {
  it('prints the default schedule as the policy computes it', () => {
    const doc = readFileSync(join(__dirname, '../../docs/RELIABILITY.md'), 'utf8');
    const begin = '<!-- retry-schedule: generated by scripts/retry-schedule.ts; test/unit/retry-horizon.test.ts checks it -->';
    const end = '<!-- /retry-schedule -->';
    expect(doc.includes(begin) && doc.includes(end)).toBe(true);
    const printed = doc.slice(doc.indexOf(begin) + begin.length, doc.indexOf(end)).trim();
    expect(printed).toBe(scheduleTable(parseConfig({ vendors: {} }).delivery).join('\n'));
  });
});
