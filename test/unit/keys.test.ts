import { VISITOR_KEY_KINDS, MAX_VISITOR_KEY_BYTES, VisitorKeyKind } from '../../lambdas/core/visitor';
import { clickSk, deliverySk, linkSk, orderPk, visitorPk } from '../../lambdas/store/keys';

/** DynamoDB's limits on key attributes, in UTF-8 bytes. */
const PARTITION_KEY_BYTES = 2048;
const SORT_KEY_BYTES = 1024;
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('item keys fit DynamoDB for the longest values the API accepts', () => {
  // The widest character is 4 bytes in UTF-8: the longest visitor key is MAX_VISITOR_KEY_BYTES of them.
  const longestVisitorValue = '😀'.repeat(MAX_VISITOR_KEY_BYTES / 4);
  const longestOrderId = '😀'.repeat(128);

  it.each(Object.keys(VISITOR_KEY_KINDS) as VisitorKeyKind[])('%s: VIS# partition key and LINK# sort key', (kind) => {
    const key = { kind, value: longestVisitorValue };
    expect(bytes(visitorPk(key))).toBeLessThanOrEqual(PARTITION_KEY_BYTES);
    expect(bytes(linkSk(key))).toBeLessThanOrEqual(SORT_KEY_BYTES);
  });

  it('a visitor key one 4-byte character longer would not fit in a link sort key at 256 characters', () => {
    expect(bytes(linkSk({ kind: 'sessionId', value: '😀'.repeat(256) }))).toBeGreaterThan(SORT_KEY_BYTES);
  });

  it('order, click and delivery keys', () => {
    expect(bytes(orderPk(longestOrderId))).toBeLessThanOrEqual(PARTITION_KEY_BYTES);
    // Click keys are catalogue names (query parameters of at most 64 characters, or vendor.field); destinations are config names.
    expect(bytes(clickSk('x'.repeat(64 + 1 + 64)))).toBeLessThanOrEqual(SORT_KEY_BYTES);
    expect(bytes(deliverySk('x'.repeat(64)))).toBeLessThanOrEqual(SORT_KEY_BYTES);
  });
});
