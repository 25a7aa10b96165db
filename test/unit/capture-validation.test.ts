/**
 * The validators without zod of the capture, identify and erase routes (commonCapture, lambdas/api/capture.ts;
 * commonIdentify and commonErase, visitors.ts) against the zod schemas that define the routes' bodies: on every
 * generated body, a validator either leaves the body to the schema or accepts it as the schema does, with the same
 * value; it never accepts a body the schema refuses, so every error message still comes from the schema, byte for byte.
 */
import fc from 'fast-check';
import { captureSchema, commonCapture } from '../../lambdas/api/capture';
import { commonErase, commonIdentify, eraseSchema, identifySchema } from '../../lambdas/api/visitors';

const RUNS = Number(process.env.CAPTURE_VALIDATION_RUNS ?? 400);

/** Strings near every bound the schema has: empty, 128, 256, 333/334 (bytes), 2048, 8192, and odd characters. */
const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('', ' ', 'a', '\t', 'é', '😀', '\u00a0x', 'x\u2028'),
  fc.constantFrom(127, 128, 129, 255, 256, 257, 333, 334, 2047, 2048, 2049).map((n) => 'k'.repeat(n)),
  fc.constantFrom(250, 256, 333, 334, 500).map((n) => '€'.repeat(n)),
  fc.constantFrom(128, 129, 200, 256).map((n) => '😀'.repeat(n)),
);
const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const value = fc.oneof(text, notString);

const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webUrl().map((u) => u.replace(/^https?/, (p) => p.toUpperCase())),
  fc.webUrl().map((u) => ` ${u}`),
  fc.webUrl().map((u) => `${u}\t`),
  fc.webUrl().map((u) => u.replace('//', '//exa\nmple.')),
  fc.webUrl().map((u) => u.replace('://', ':/')),
  fc.webUrl().map((u) => u.replace(/^https?/, 'ftp')),
  fc.webUrl().map((u) => `${u}?q=${'x'.repeat(8192)}`),
  fc.constantFrom('https://www.shop.example/p/1.html?kk=1', 'http://a', 'https://', 'https://[::1]/', 'http://1.2.3.4:80/x', 'https://x y', 'javascript:alert(1)', 'mailto:a@b.c', '//shop.example/x', '/p/1'),
  value,
);

const record = (keys: fc.Arbitrary<string>, values: fc.Arbitrary<unknown>, maxKeys: number) => fc.dictionary(keys, values, { maxKeys });
const paramName = fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'kk', '0', '1'));
const params = fc.oneof(
  record(paramName, value, 6),
  fc.constantFrom(99, 100, 101).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, 'v']))),
  notString,
);

const visitorKeyName = fc.constantFrom('sessionId', 'userId', 'basketId', 'sessionid', '__proto__', 'other');
const visitor = fc.oneof(record(visitorKeyName, value, 4), notString);
const consent = fc.oneof(
  fc.record({ tracking: fc.boolean() }),
  fc.record({ tracking: value }),
  fc.record({ tracking: fc.boolean(), other: value }),
  fc.constant({}),
  notString,
);
const body = fc.record(
  {
    visitor,
    landingUrl: url,
    params,
    consent,
    identifiers: fc.constant({ raptor: { coid: 'c' } }),
    occurredAt: fc.constant('2026-11-21T10:00:00Z'),
    other: value,
    __proto__: value,
  },
  { requiredKeys: [] },
);

/** Bodies of the four common fields, mostly valid, each with a few values near or past a bound. */
const goodString = (max: number) => fc.string({ minLength: 1, maxLength: Math.min(max, 40) });
const nearlyGood = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: good, weight: 8 }, { arbitrary: bad, weight: 1 });
const visitorBound = fc.constantFrom('', 'k'.repeat(256), 'k'.repeat(257), '😀'.repeat(128), '😀'.repeat(129));
const urlSpaced = fc
  .tuple(fc.webUrl(), fc.constantFrom(' ', '\u00a0', '\u2028', '\ufeff', '\n', '\t', '\r', '\u000b'), fc.boolean())
  .map(([u, space, inside]) => (inside ? u.replace('://', `://${space}`) : `${u}${space}`));
const edge = <T>(good: fc.Arbitrary<T>, near: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: good, weight: 3 }, { arbitrary: near, weight: 1 });
const commonBody = fc.record(
  {
    visitor: nearlyGood(
      fc.record({ sessionId: edge(goodString(256), visitorBound), userId: edge(goodString(256), text), basketId: goodString(256) }, { requiredKeys: [] }),
      visitor,
    ),
    landingUrl: edge(fc.webUrl({ withQueryParameters: true }), fc.oneof(urlSpaced, url)),
    params: nearlyGood(fc.dictionary(fc.oneof({ arbitrary: goodString(128), weight: 3 }, { arbitrary: paramName, weight: 1 }), edge(fc.string({ maxLength: 40 }), text), { maxKeys: 5 }), params),
    consent: nearlyGood(fc.record({ tracking: fc.boolean() }), consent),
  },
  { requiredKeys: ['visitor'] },
);

/** As the route sees a body: parsed from JSON text, so `__proto__` is an own key and nothing is undefined. */
const asParsed = (input: unknown): unknown => JSON.parse(JSON.stringify(input) ?? 'null');

describe('capture validation without zod', () => {
  it('accepts only what the schema accepts, with the same value in the same key order', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(commonBody, body, value), (generated) => {
        const input = asParsed(generated);
        const fast = commonCapture(input);
        if (fast === undefined) return;
        accepted++;
        const parsed = captureSchema().safeParse(input);
        expect(parsed.success).toBe(true);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
        expect(fast).toStrictEqual(parsed.data);
      }),
      { numRuns: RUNS },
    );
    // The comparison is made, not skipped: a good share of the generated bodies is accepted.
    expect(accepted).toBeGreaterThan(RUNS / 50);
  });

  it('takes the common capture itself, and leaves identifiers and occurredAt to the schema', () => {
    const common = { visitor: { userId: 'u', sessionId: 's' }, landingUrl: 'https://www.shop.example/p/137.html?kk=kk-1&utm_source=kelkoo', params: { kk: 'x' }, consent: { tracking: true } };
    expect(commonCapture(common)).toStrictEqual(captureSchema().parse(common));
    expect(Object.keys(commonCapture(common)!.visitor)).toEqual(['sessionId', 'userId']);
    expect(commonCapture({ visitor: { sessionId: 's' } })).toStrictEqual({ visitor: { sessionId: 's' } });
    expect(commonCapture({ ...common, occurredAt: '2026-11-21T10:00:00Z' })).toBeUndefined();
    expect(commonCapture({ ...common, identifiers: {} })).toBeUndefined();
    // A URL the schema trims is the schema's to take, trimmed.
    expect(commonCapture({ ...common, landingUrl: ' https://x' })).toBeUndefined();
    expect(captureSchema().parse({ ...common, landingUrl: ' https://x' }).landingUrl).toBe('https://x');
  });

  it('leaves every refused body to the schema, whose messages the route answers with', () => {
    const refused: unknown[] = [
      { visitor: {} },
      { visitor: { sessionId: '' } },
      { visitor: { sessionId: '€'.repeat(334) } },
      { visitor: { sessionId: 's' }, landingUrl: 'ftp://x' },
      { visitor: { sessionId: 's' }, landingUrl: 'https:/x' },
      { visitor: { sessionId: 's' }, params: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, 'v'])) },
      { visitor: { sessionId: 's' }, params: { '': 'v' } },
      { visitor: { sessionId: 's' }, consent: { tracking: 'no' } },
      { visitor: { sessionId: 's' }, extra: 1 },
    ];
    for (const input of refused) {
      expect(commonCapture(input)).toBeUndefined();
      expect(captureSchema().safeParse(input).success).toBe(false);
    }
  });

  it('identify and erase: accept only what their schemas accept, with the same value', () => {
    const visitorBody = fc.record(
      {
        visitor: nearlyGood(fc.record({ sessionId: edge(goodString(256), visitorBound), userId: edge(goodString(256), text), basketId: goodString(256) }, { requiredKeys: [] }), visitor),
        consent: nearlyGood(fc.record({ tracking: fc.boolean() }), consent),
      },
      { requiredKeys: ['visitor'] },
    );
    const withOther = fc.tuple(visitorBody, value).map(([b, other]) => ({ ...b, other }));
    const accepted = { identify: 0, erase: 0 };
    fc.assert(
      fc.property(fc.oneof({ arbitrary: visitorBody, weight: 6 }, withOther, value), (generated) => {
        const input = asParsed(generated);
        const identify = commonIdentify(input);
        if (identify !== undefined) {
          accepted.identify++;
          const parsed = identifySchema().safeParse(input);
          expect(parsed.success).toBe(true);
          expect(JSON.stringify(identify)).toBe(JSON.stringify(parsed.data));
          expect(identify).toStrictEqual(parsed.data);
        }
        const erase = commonErase(input);
        if (erase !== undefined) {
          accepted.erase++;
          const parsed = eraseSchema().safeParse(input);
          expect(parsed.success).toBe(true);
          expect(erase).toStrictEqual(parsed.data);
        }
      }),
      { numRuns: RUNS },
    );
    expect(accepted.identify).toBeGreaterThan(RUNS / 50);
    expect(accepted.erase).toBeGreaterThan(RUNS / 50);
    // One key is an erase, not an identify: the schema says why.
    expect(commonIdentify({ visitor: { sessionId: 's' } })).toBeUndefined();
    expect(identifySchema().safeParse({ visitor: { sessionId: 's' } }).error?.issues.map((i) => i.message)).toEqual([
      'at least 2 of sessionId, userId, basketId are required',
    ]);
  });
});
