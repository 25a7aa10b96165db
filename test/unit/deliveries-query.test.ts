/**
 * The reader without zod of GET /v1/deliveries' query (commonQuery, lambdas/api/deliveries.ts) against the zod schema
 * that defines it: on every generated query, the reader either leaves it to the schema or accepts it as the schema
 * does, with the same value; it never accepts a query the schema refuses, so every error message still comes from
 * the schema. A well-formed query is read by it, so that the schema is not built for the common request.
 */
import fc from 'fast-check';
import { commonQuery, querySchema } from '../../lambdas/api/deliveries';

const RUNS = Number(process.env.DELIVERIES_QUERY_RUNS ?? 1000);
const VENDORS = ['kelkoo', 'awin', 'awin-cancel'];

const anyText = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('', ' ', ',', 'é', '😀', '\ud800'));
const status = fc.oneof(
  fc.subarray(['retrying', 'failed', 'dead-lettered', 'queued', 'sent', 'Failed', ''], { minLength: 1 }).map((s) => s.join(',')),
  fc.constantFrom('failed,failed', 'failed,', ',failed', 'retrying, failed'),
  anyText,
);
const vendor = fc.oneof(fc.constantFrom(...VENDORS, 'klevu', 'Kelkoo', 'awin ', ''), anyText);
const since = fc.oneof(
  fc.constantFrom('2026-11-01', '2026-02-29', '2024-02-29', '2026-02-30', '2026-13-01', '0099-01-01', '2026-11-01T10:00:00Z'),
  fc.constantFrom('2026-11-01T10:00:00.123+02:00', '2026-11-01T24:00:00Z', '2026-11-01T10:00Z', '2026-11-01 10:00:00Z', '1 Nov 2026'),
  fc.date({ min: new Date(-62e12), max: new Date(2e14), noInvalidDate: true }).map((d) => d.toISOString()),
  anyText,
);
const limit = fc.oneof(fc.integer({ min: -5, max: 1200 }).map(String), fc.constantFrom('007', '0', '100', '101', '1e2', ' 5', '5 ', '+5', '0x10', ''), anyText);
const next = fc.oneof(anyText, fc.base64String());
/** Each parameter absent, present with a value, or now and then present without one. */
const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined, freq: 10 });
const query: fc.Arbitrary<Record<string, string | undefined>> = fc.record(
  { status: optional(status), vendor: optional(vendor), since: optional(since), limit: optional(limit), next: optional(next) },
  { requiredKeys: [] },
);

describe('commonQuery', () => {
  it('accepts only queries the schema accepts, with the value the schema gives', () => {
    const schema = querySchema(VENDORS);
    fc.assert(
      fc.property(query, (q) => {
        const common = commonQuery(q, VENDORS);
        if (common === undefined) return;
        const parsed = schema.safeParse(q);
        expect(parsed.success).toBe(true);
        expect(common).toStrictEqual(parsed.data);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads the common well-formed queries itself', () => {
    for (const q of [
      {},
      { status: 'failed' },
      { status: 'retrying,failed,dead-lettered', vendor: 'awin-cancel', since: '2026-11-01', limit: '100' },
      { since: '2026-11-01T10:00:00+02:00', limit: '1', next: 'eyJmIjoiIn0' },
    ]) {
      expect(commonQuery(q, VENDORS)).toStrictEqual(querySchema(VENDORS).parse(q));
    }
  });

  it('leaves a parameter present without a value, and an unknown one, to the schema', () => {
    expect(commonQuery({ status: undefined }, VENDORS)).toBeUndefined();
    expect(commonQuery({ statuses: 'failed' }, VENDORS)).toBeUndefined();
  });
});
