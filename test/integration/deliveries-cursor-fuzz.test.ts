/**
 * Fuzzing the `next` cursor of GET /v1/deliveries through the real handler against DynamoDB Local. Genuine cursors of
 * several listings are mutated – bits flipped, cut short, characters replaced, or decoded and re-encoded with a field
 * removed, added or replaced by a value of another type, empty, huge or merely out of range, and handed to a listing
 * with other filters – and the only answers accepted are a 200 that stays within the listing's filters, or a 400
 * naming `next`. Never a 500: a start key DynamoDB refuses must be caught before it is sent.
 */
import fc from 'fast-check';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createDeliveriesHandler } from '../../lambdas/api/deliveries';
import { parseConfig } from '../../lambdas/config/schema';
import { apiGatewayEvent } from '../../local/api-gateway-event';
import { API_KEY, call } from '../support/api';
import { createTestStore, recordingLogger } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';

const RUNS = Number(process.env.CURSOR_FUZZ_RUNS ?? 300);
const EXPIRES = 2_000_000_000;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 10, minute, 0));
const SINCE = at(6).toISOString();

/** The listings whose cursors are mutated, and to which the mutants are handed. */
const QUERIES = [
  'limit=1',
  'limit=2',
  'status=failed&limit=1',
  'status=retrying,dead-lettered&limit=1',
  'vendor=awin&limit=1',
  'vendor=awin-cancel&limit=1',
  `since=${SINCE}&limit=1`,
  `vendor=kelkoo&status=failed,retrying&since=${SINCE}&limit=1`,
];

const config = parseConfig({
  vendors: { kelkoo: SPEC_VENDORS.kelkoo, klevu: SPEC_VENDORS.klevu },
  postbacks: {
    awin: { clickIdParam: 'awc', url: 'https://awin.example/sale?ref={order.orderId}&cks={clickId}', cancel: { url: 'https://awin.example/cancel?ref={order.orderId}' } },
  },
});
let list: (query: string) => ReturnType<typeof call>;
/** Per query of QUERIES: the `next` of its first page and of its second (when there is a third). */
const genuine = new Map<string, string[]>();

beforeAll(async () => {
  const { store } = await createTestStore();
  const statuses = ['retrying', 'failed', 'dead-lettered'] as const;
  const destinations = ['kelkoo', 'klevu', 'awin', 'awin-cancel'];
  // Order ids with characters a cursor must carry intact: escapes, multi-byte text, the longest id accepted.
  const orderIds = ['F-1', 'F "2" \\ é', `F-3-${'ü'.repeat(120)}`, 'F-4 &/?#%', 'F-5 😀'];
  let minute = 0;
  for (const orderId of orderIds) {
    for (const destination of destinations) {
      const status = statuses[minute % statuses.length]!;
      await store.claimDelivery(orderId, destination, at(minute), 90, EXPIRES);
      await store.recordDelivery(orderId, destination, { status, error: 'HTTP 400', completedRequests: [], at: at(minute) });
      minute++;
    }
  }
  const handler = createDeliveriesHandler({ config, store, apiKeys: new StaticApiKeys([API_KEY]), logger: recordingLogger().logger });
  list = (query) => call(handler, apiGatewayEvent({ method: 'GET', path: '/v1/deliveries', query, headers: { authorization: `Bearer ${API_KEY}` } }));
  for (const query of QUERIES) {
    const first = await list(query);
    expect(first.status).toBe(200);
    const second = await list(`${query}&next=${first.body.next}`);
    expect(second.status).toBe(200);
    genuine.set(query, [first.body.next, second.body.next].filter((next): next is string => next !== undefined));
  }
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Mutation = (cursor: string, target: string) => string;

const decode = (cursor: string): Json => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
const encode = (value: Json): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
/** The filter a genuine cursor of `query` carries. */
const filterOf = (query: string): Json => (decode(genuine.get(query)![0]!) as Record<string, Json>).f!;

/** Every path into a JSON value, the root included. */
function paths(value: Json, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, child]) => paths(child, [...prefix, key]))];
}

/** `value` with the node at `path` replaced (or removed when `replacement` is undefined). */
function replaced(value: Json, path: string[], replacement: Json | undefined): Json | undefined {
  if (!path.length) return replacement;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, Json> = Object.fromEntries(Object.entries(value));
  const [head, ...rest] = path as [string, ...string[]];
  const child = replaced(copy[head]!, rest, replacement);
  if (child === undefined) delete copy[head];
  else copy[head] = child;
  return Array.isArray(value) ? Object.values(copy) : copy;
}

/** Values a field should never hold, and some it could: other types, empty, huge (in bytes or characters), out of range. */
const fieldValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>('', null, 0, -1, 1e308, true, [], {}, ' ', 'ORDER#', 'DELIVERY#', 'DELIVERY#awin', 'DELIVERY#kelkoo', 'DELIVERY#nobody'),
  fc.constantFrom<Json>('queued', 'sent', 'failed', 'retrying', 'dead-lettered', 'FAILED'),
  fc.constantFrom<Json>(
    '2026-11-01T10:00:00.000Z',
    '2026-11-01T10:00:00Z',
    '2026-02-30T10:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '+275760-09-13T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    at(5).toISOString(),
    SINCE,
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('\ud800', 'ORDER#\udc00', 'DELIVERY#a\ud83d'),
  fc.tuple(fc.constantFrom('', 'ORDER#', 'DELIVERY#'), fc.constantFrom('x', 'é', '😀'), fc.integer({ min: 300, max: 2100 })).map(([prefix, c, n]) => prefix + c.repeat(n)),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A bit flipped in the decoded bytes.
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([i, bit]): Mutation => (cursor) => {
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[i % bytes.length]! ^= 1 << bit;
    return bytes.toString('base64url');
  }),
  // Cut short.
  fc.nat().map((n): Mutation => (cursor) => cursor.slice(0, n % cursor.length)),
  // A character of the text replaced, inside the Base64url alphabet or outside it.
  fc.tuple(fc.nat(), fc.constantFrom('A', '_', '-', '0', '=', '+', '/', '.', '%', '~', 'é')).map(([i, c]): Mutation => (cursor) => {
    const at = i % cursor.length;
    return cursor.slice(0, at) + c + cursor.slice(at + 1);
  }),
  // Decoded, a field replaced or removed, encoded again; with the filter of the listing it is handed to, or its own.
  fc.tuple(fc.nat(), fc.option(fieldValue, { nil: undefined }), fc.boolean()).map(([i, value, refilter]): Mutation => (cursor, target) => {
    let json = decode(cursor);
    if (refilter) json = replaced(json, ['f'], filterOf(target)) as Json;
    const all = paths(json);
    return encode((replaced(json, all[i % all.length]!, value) ?? null) as Json);
  }),
  // Decoded, a field added somewhere, encoded again with the filter of the listing it is handed to.
  fc.tuple(fc.nat(), fc.string({ maxLength: 15 }), fieldValue).map(([i, name, value]): Mutation => (cursor, target) => {
    const json = replaced(decode(cursor), ['f'], filterOf(target)) as Json;
    const objects = paths(json).filter((p) => {
      const node = p.reduce<Json>((v, k) => (v as Record<string, Json>)[k]!, json);
      return node !== null && typeof node === 'object' && !Array.isArray(node);
    });
    const path = objects[i % objects.length]!;
    return encode(replaced(json, [...path, name], value) as Json);
  }),
  // Unchanged: the cursor as a page answered it (handed to its own listing, a 200).
  fc.constant<Mutation>((cursor) => cursor),
);

/** Whether a listed delivery lies within the filters of `query`. */
function withinFilters(query: string, delivery: { vendor: string; status: string; updatedAt: string }): boolean {
  const params = new URLSearchParams(query);
  const statuses = params.get('status')?.split(',') ?? ['retrying', 'failed', 'dead-lettered'];
  const vendor = params.get('vendor');
  const vendors = vendor === null ? undefined : vendor === 'awin' ? ['awin', 'awin-cancel'] : [vendor];
  const since = params.get('since');
  return statuses.includes(delivery.status) && (!vendors || vendors.includes(delivery.vendor)) && (!since || delivery.updatedAt >= since);
}

describe('a mutated next cursor', () => {
  const answers = { total: 0, listed: 0, otherFilters: 0, refused: 0 };

  it(`answers 200 within the listing's filters or 400 naming next, never anything else (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...QUERIES),
        fc.nat({ max: 1 }),
        // Mostly handed to its own listing, so that the fields inside are what is checked; else to another listing.
        fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.constantFrom(...QUERIES), weight: 1 }),
        mutation,
        async (source, page, other, mutate) => {
          answers.total++;
          const target = other ?? source;
          const cursors = genuine.get(source)!;
          const next = mutate(cursors[page % cursors.length]!, target);
          const { status, body } = await list(`${target}&next=${encodeURIComponent(next)}`);
          if (status === 400) {
            expect(body.error.details.map((d: { field: string }) => d.field)).toEqual(['next']);
            answers[body.error.details[0].message.includes('other filters') ? 'otherFilters' : 'refused']++;
            return;
          }
          expect(status).toBe(200);
          answers.listed++;
          for (const delivery of body.deliveries) expect({ target, delivery, within: withinFilters(target, delivery) }).toMatchObject({ within: true });
          if (body.next !== undefined) expect(typeof body.next).toBe('string');
        },
      ),
      { numRuns: RUNS },
    );
    // The mutants reached every outcome: listed, refused for another filter, and refused field by field.
    expect(answers.listed).toBeGreaterThan(0.05 * answers.total);
    expect(answers.otherFilters).toBeGreaterThan(0);
    expect(answers.refused).toBeGreaterThan(0.2 * answers.total);
  });
});
