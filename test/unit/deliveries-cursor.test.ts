/**
 * The `next` cursor of GET /v1/deliveries, without a service: a cursor the listing answered decodes to itself, and
 * each field of a decoded one is checked against the query it continues, at the edges of DynamoDB's key sizes and of
 * the listing's filters.
 */
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from '../../lambdas/api/deliveries';
import { ValidationError } from '../../lambdas/core/errors';
import { MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES, UnsettledCursor, unsettledCursorProblem, UnsettledQuery } from '../../lambdas/store/unsettled';

const query: Omit<UnsettledQuery, 'cursor' | 'limit'> = { statuses: ['failed', 'retrying'] };
const key = { pk: 'ORDER#A-1', sk: 'DELIVERY#kelkoo', unsettledStatus: 'failed' as const, unsettledAt: '2026-11-01T10:00:00.000Z' };
const FILTER = 'the filter';

function refusal(value: string, filter = FILTER, continues = query): string | undefined {
  try {
    decodeCursor(value, filter, continues);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const details = (error as ValidationError).details;
    expect(details.map((d) => d.field)).toEqual(['next']);
    return details[0]!.message;
  }
}

const encoded = (c: unknown, f: unknown = FILTER) => Buffer.from(JSON.stringify({ f, c }), 'utf8').toString('base64url');
/** `text` grown to exactly `bytes` UTF-8 bytes with two-byte characters (and one `x` when the count is odd). */
const ofBytes = (text: string, bytes: number) => {
  const rest = bytes - Buffer.byteLength(text);
  return text + 'é'.repeat(Math.floor(rest / 2)) + 'x'.repeat(rest % 2);
};

describe('decodeCursor', () => {
  it('gives back the cursor a page answered, with every status state: unread, a position, exhausted', () => {
    const cursors: UnsettledCursor[] = [{ failed: key }, { failed: null }, { failed: null, retrying: { ...key, unsettledStatus: 'retrying', pk: 'ORDER#"é" \\ 😀 &/?#' } }, { retrying: null, failed: key }];
    for (const cursor of cursors) expect(decodeCursor(encodeCursor(cursor, FILTER), FILTER, query)).toEqual(cursor);
  });

  it('takes the longest cursor a page can answer: every status at an order id of 128 characters JSON escapes', () => {
    // The longest order id POST /v1/conversions accepts, in characters JSON.stringify writes as six; the longest
    // postback name (31) with its cancellation suffix.
    const position = (unsettledStatus: 'failed' | 'retrying' | 'dead-lettered') => ({
      ...key,
      pk: `ORDER#${'\u0001'.repeat(128)}`,
      sk: `DELIVERY#${'p'.repeat(31)}-cancel`,
      unsettledStatus,
    });
    const all = { statuses: ['failed', 'retrying', 'dead-lettered'] as const, destinations: ['p'.repeat(31), `${'p'.repeat(31)}-cancel`], since: '2026-01-01T00:00:00.000Z' };
    const filter = JSON.stringify([all.statuses, 'p'.repeat(31), all.since]);
    const cursor = { failed: position('failed'), retrying: position('retrying'), 'dead-lettered': position('dead-lettered') };
    const text = encodeCursor(cursor, filter);
    expect(text.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    expect(decodeCursor(text, filter, all)).toEqual(cursor);
  });

  it('names the filters when the cursor belongs to another listing', () => {
    expect(refusal(encodeCursor({ failed: key }, 'another filter'))).toMatch(/^belongs to a listing with other filters; pass the "next" of the previous page unchanged/);
  });

  it.each([
    ['an empty text', ''],
    ['characters outside Base64url', `${encodeCursor({ failed: key }, FILTER)}=`],
    ['text that is not JSON', Buffer.from('{"f":', 'utf8').toString('base64url')],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')],
    ['JSON that is not an object', Buffer.from('[1]').toString('base64url')],
    ['a field too many', Buffer.from(JSON.stringify({ f: FILTER, c: { failed: key }, x: 1 })).toString('base64url')],
    ['a filter that is no text', encoded({ failed: key }, 7)],
    ['no position at all', encoded({})],
    ['nothing left to read', encoded({ failed: null, retrying: null })],
    ['a status not asked for', encoded({ 'dead-lettered': { ...key, unsettledStatus: 'dead-lettered' } })],
    ['a status the listing does not hold', encoded({ queued: { ...key, unsettledStatus: 'queued' } })],
    ['positions in a list', encoded([key])],
    ['a position that is text', encoded({ failed: 'ORDER#A-1' })],
    ['a key attribute missing', encoded({ failed: { pk: key.pk, sk: key.sk, unsettledStatus: 'failed' } })],
    ['a key attribute too many', encoded({ failed: { ...key, attempts: 1 } })],
    ['a number for a key attribute', encoded({ failed: { ...key, sk: 5 } })],
    ['a key of another status partition', encoded({ failed: { ...key, unsettledStatus: 'retrying' } })],
    ['an empty order id', encoded({ failed: { ...key, pk: 'ORDER#' } })],
    ['a key of another item kind', encoded({ failed: { ...key, pk: 'VIS#s#1' } })],
    ['an empty destination', encoded({ failed: { ...key, sk: 'DELIVERY#' } })],
    ['a lone surrogate', encoded({ failed: { ...key, sk: 'DELIVERY#\udc00' } })],
    ['an empty time', encoded({ failed: { ...key, unsettledAt: '' } })],
    ['a time without milliseconds', encoded({ failed: { ...key, unsettledAt: '2026-11-01T10:00:00Z' } })],
    ['an impossible time', encoded({ failed: { ...key, unsettledAt: '2026-02-30T10:00:00.000Z' } })],
  ])('refuses %s', (_, value) => {
    expect(refusal(value)).toMatch(/is not a cursor of this listing.*; pass the "next" of the previous page unchanged, with the same filters$/);
  });

  it('refuses a text longer than any cursor before decoding it', () => {
    const long = encoded({ failed: { ...key, pk: `ORDER#${'x'.repeat(MAX_CURSOR_LENGTH)}` } });
    expect(long.length).toBeGreaterThan(MAX_CURSOR_LENGTH);
    expect(refusal(long)).toMatch(/^is not a cursor of this listing;/);
  });
});

describe('unsettledCursorProblem', () => {
  const problem = (position: Record<string, unknown>, continues: Omit<UnsettledQuery, 'cursor' | 'limit'> = query) => unsettledCursorProblem({ failed: position }, continues);

  it("holds an order id to DynamoDB's 2,048 bytes of a partition key, counted in bytes", () => {
    expect(problem({ ...key, pk: ofBytes('ORDER#', MAX_PARTITION_KEY_BYTES) })).toBeUndefined();
    expect(problem({ ...key, pk: ofBytes('ORDER#', MAX_PARTITION_KEY_BYTES + 1) })).toMatch(/names no order/);
  });

  it("holds a destination to DynamoDB's 1,024 bytes of a sort key, counted in bytes", () => {
    expect(problem({ ...key, sk: ofBytes('DELIVERY#', MAX_SORT_KEY_BYTES) })).toBeUndefined();
    expect(problem({ ...key, sk: ofBytes('DELIVERY#', MAX_SORT_KEY_BYTES + 1) })).toMatch(/names no delivery/);
  });

  it('takes a position at since or after it, never before', () => {
    const since = { ...query, since: key.unsettledAt };
    expect(problem(key, since)).toBeUndefined();
    expect(problem({ ...key, unsettledAt: '2026-11-01T09:59:59.999Z' }, since)).toMatch(/before since/);
  });

  it('takes a position only at a destination the vendor filter lists', () => {
    const awin = { ...query, destinations: ['awin', 'awin-cancel'] };
    expect(problem({ ...key, sk: 'DELIVERY#awin' }, awin)).toBeUndefined();
    expect(problem({ ...key, sk: 'DELIVERY#awin-cancel' }, awin)).toBeUndefined();
    expect(problem(key, awin)).toMatch(/another destination/);
    // Without a vendor filter, any destination: one no longer configured is still in the index.
    expect(problem({ ...key, sk: 'DELIVERY#retired' })).toBeUndefined();
  });
});
