/**
 * messageDigest (lambdas/core/delivery.ts): the SHA-256 of the message's destination, order, context (and exclusive
 * decision) as canonical JSON – every object's keys sorted, undefined members left out – so that the sender,
 * recomputing it from the message it received, gets the digest the conversion recorded whatever the key order.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { deliveryMessageSchema, messageDigest } from '../../lambdas/core/delivery';

const order = deliveryMessageSchema.parse({
  version: 1,
  destination: 'kelkoo',
  order: { orderId: 'o-1', currency: 'EUR', orderValue: 12.5, netValue: 10, items: [{ productId: 'p', name: 'n', unitPrice: 12.5, quantity: 1, groupId: 'p', variantId: 'p' }], occurredAt: '2026-11-29T10:00:00.000Z' },
  context: {},
  receivedAt: '2026-11-29T10:00:01.000Z',
  expiresAt: 1,
}).order;

/** An independent canonical form: keys sorted at every level, then plain JSON (which drops undefined members). */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedDeep((value as Record<string, unknown>)[k])]));
  }
  return value;
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const digestOf = (context: Record<string, unknown>) => messageDigest({ destination: 'kelkoo', order, context });

/** Keys that JSON.stringify keeps in insertion order (integer-like keys it would put first). */
const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/);
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
})).object as fc.Arbitrary<Record<string, unknown>>;

describe('messageDigest', () => {
  it('is the SHA-256 (hex) of the canonical JSON of destination, order and context', () => {
    const context = { saleId: '0.25', ids: ['b', 'a'], nested: { z: 1, a: [true, null, { y: 'x', b: 2 }] } };
    const expected = sha256(JSON.stringify(sortedDeep({ destination: 'kelkoo', order, context })));
    expect(digestOf(context)).toBe(expected);
    expect(digestOf(context)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('agrees with the canonical JSON for any context', () => {
    fc.assert(
      fc.property(json, (context) => {
        expect(digestOf(context)).toBe(sha256(JSON.stringify(sortedDeep({ destination: 'kelkoo', order, context }))));
      }),
    );
  });

  it('does not depend on key order, at any depth', () => {
    expect(digestOf({ a: 1, b: { c: 'x', d: 'y' } })).toBe(digestOf({ b: { d: 'y', c: 'x' }, a: 1 }));
    const reversed = Object.fromEntries(Object.entries(order).reverse()) as typeof order;
    expect(messageDigest({ destination: 'kelkoo', order: reversed, context: {} })).toBe(digestOf({}));
  });

  it('leaves undefined members out, so a version 1 message digests alike with or without an absent exclusive', () => {
    expect(digestOf({ a: 1, b: undefined })).toBe(digestOf({ a: 1 }));
    expect(messageDigest({ destination: 'kelkoo', order, context: {}, exclusive: undefined })).toBe(digestOf({}));
    const exclusive = { group: 'g', winner: 'kelkoo', channel: 'kelkoo', won: true };
    expect(messageDigest({ destination: 'kelkoo', order, context: {}, exclusive })).not.toBe(digestOf({}));
  });

  it.each([
    [{ ids: [12, 3] }, { ids: [1, 23] }],
    [{ ids: ['a', 'b'] }, { ids: ['b', 'a'] }],
    [{ ids: [] }, { ids: [[]] }],
    [{ ids: [] }, { ids: {} }],
    [{ a: 1, b: 2 }, { a: 12 }],
    [{ a: null }, { a: 'null' }],
    [{ a: 1 }, { a: '1' }],
    [{}, { a: null }],
  ])('tells %j from %j', (one, other) => {
    expect(digestOf(one)).not.toBe(digestOf(other));
  });
});
