/**
 * The small helpers of the core: the late-report grace (lambdas/core/late-reports.ts), epoch seconds rounded up
 * (time.ts), the stable seeded sequence (random.ts), nested record-key messages (validation.ts) and the visitor key
 * messages (visitor.ts).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { DEFAULT_LATE_REPORT_HOURS, lateReportSeconds, MAX_LATE_REPORT_HOURS } from '../../lambdas/core/late-reports';
import { seededRandom } from '../../lambdas/core/random';
import { epochSeconds, epochSecondsCeil } from '../../lambdas/core/time';
import { toFieldIssues } from '../../lambdas/core/validation';
import { visitorSchema } from '../../lambdas/core/visitor';

describe('late reports', () => {
  it('grants the configured hours in seconds, 72 hours without the key', () => {
    expect(DEFAULT_LATE_REPORT_HOURS).toBe(72);
    expect(lateReportSeconds({})).toBe(72 * 60 * 60);
    expect(lateReportSeconds({ lateReportHours: 1 })).toBe(3600);
    expect(lateReportSeconds({ lateReportHours: MAX_LATE_REPORT_HOURS })).toBe(30 * 86_400);
  });
});

describe('epochSecondsCeil', () => {
  it.each([
    ['2026-11-21T10:00:00.000Z', 0],
    ['2026-11-21T10:00:00.001Z', 1],
    ['2026-11-21T10:00:00.999Z', 1],
  ])('rounds %s up to the next whole second (+%i)', (iso, up) => {
    const whole = Date.parse('2026-11-21T10:00:00Z') / 1000;
    expect(epochSecondsCeil(new Date(iso))).toBe(whole + up);
    expect(epochSecondsCeil(new Date(iso)) - epochSeconds(new Date(iso))).toBe(up);
  });
});

describe('seededRandom', () => {
  it('draws the n-th number from the seed and n alone, so a retry after a release builds the same sale ids', () => {
    // The sequence is part of what a shop's retry of an order must reproduce: SHA-256 of `seed NUL n`, n = 0, 1, 2, …
    const draw = (seed: string, n: number) => createHash('sha256').update(`${seed}\u0000${n}`).digest().readUInt32BE(0) / 2 ** 32;
    const next = seededRandom('ORD-1');
    expect([next(), next(), next(), next()]).toEqual([0, 1, 2, 3].map((n) => draw('ORD-1', n)));
  });
});

describe('record key issues', () => {
  it('joins every reason a record key is bad, instead of zod\'s generic "Invalid key in record"', () => {
    const schema = z.record(z.string().min(3, 'too short').regex(/^[a-z]+$/, 'lower case only'), z.number());
    expect(toFieldIssues(schema.safeParse({ A: 1 }).error!)).toEqual([{ field: 'A', message: 'too short; lower case only' }]);
    expect(toFieldIssues(schema.safeParse({ ab: 1 }).error!)).toEqual([{ field: 'ab', message: 'too short' }]);
  });
});

describe('visitor schema', () => {
  it.each([
    [{ sessionId: '' }, 'sessionId', 'must not be empty'],
    [{ userId: 'u'.repeat(257) }, 'userId', 'must be at most 256 characters'],
    [{ basketId: '€'.repeat(257) }, 'basketId', 'must be at most 256 characters'],
  ])('refuses %j, saying why', (visitor, field, message) => {
    expect(toFieldIssues(visitorSchema.safeParse(visitor).error!)).toEqual([{ field, message }]);
  });

  it('counts characters as code points, and refuses keys of fewer characters past 1,000 bytes naming the byte limit', () => {
    // 251 emoji are 251 characters but 1,004 bytes: too long for a DynamoDB sort key with its prefix.
    for (const [visitor, field] of [
      [{ sessionId: '😀'.repeat(251) }, 'sessionId'],
      [{ userId: `${'😀'.repeat(249)}ééé` }, 'userId'],
    ] as const) {
      expect(toFieldIssues(visitorSchema.safeParse(visitor).error!)).toEqual([{ field, message: 'must be at most 1000 bytes in UTF-8' }]);
    }
  });

  it('accepts 256 characters of up to 3 bytes, and 4-byte characters up to exactly 1,000 bytes', () => {
    expect(visitorSchema.safeParse({ sessionId: '€'.repeat(256), userId: 'u', basketId: 'x'.repeat(256) }).success).toBe(true);
    expect(visitorSchema.safeParse({ sessionId: '😀'.repeat(250), userId: `${'😀'.repeat(249)}é`, basketId: `${'😀'.repeat(249)}abcd` }).success).toBe(true);
  });
});
