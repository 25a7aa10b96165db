/**
 * GET /v1/deliveries through the real handler against DynamoDB Local: which statuses the listing covers (a `queued`
 * delivery is not in its index, so `status=queued` is refused with the reason), which destinations it can be filtered
 * by (the cancellation destinations too), and cursors that were tampered with (a 400 naming `next`, never a 500).
 */
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createDeliveriesHandler, encodeCursor } from '../../lambdas/api/deliveries';
import { createStatusHandler } from '../../lambdas/api/status';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import type { TrackingStore, UnsettledStatus } from '../../lambdas/store/tracking-store';
import { apiGatewayEvent } from '../../local/api-gateway-event';
import { API_KEY, call } from '../support/api';
import { createTestStore, recordingLogger } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';

let store: TrackingStore;
let config: TrackingConfig;
const EXPIRES = 2_000_000_000;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 10, minute, 0));

beforeAll(async () => {
  ({ store } = await createTestStore());
  config = parseConfig({
    vendors: { kelkoo: SPEC_VENDORS.kelkoo, klevu: SPEC_VENDORS.klevu },
    postbacks: {
      awin: { clickIdParam: 'awc', url: 'https://awin.example/sale?ref={order.orderId}&cks={clickId}', cancel: { url: 'https://awin.example/cancel?ref={order.orderId}' } },
      net2: { clickIdParam: 'n2', url: 'https://net2.example/sale?ref={order.orderId}&c={clickId}' },
    },
  });
  // One unsettled delivery per destination, a minute apart: kelkoo newest.
  const unsettled: Array<[string, string, 'retrying' | 'failed' | 'dead-lettered', number]> = [
    ['D-1', 'net2', 'failed', 1],
    ['D-2', 'awin', 'failed', 2],
    ['D-2', 'awin-cancel', 'retrying', 3],
    ['D-3', 'klevu', 'dead-lettered', 4],
    ['D-4', 'kelkoo', 'failed', 5],
  ];
  for (const [orderId, destination, status, minute] of unsettled) {
    await store.claimDelivery(orderId, destination, at(minute), 90, EXPIRES);
    await store.recordDelivery(orderId, destination, { status, error: 'HTTP 400', completedRequests: [], at: at(minute) });
  }
});

const list = (query: string, from: TrackingStore = store) =>
  call(
    createDeliveriesHandler({ config, store: from, apiKeys: new StaticApiKeys([API_KEY]), logger: recordingLogger().logger }),
    apiGatewayEvent({ method: 'GET', path: '/v1/deliveries', query, headers: { authorization: `Bearer ${API_KEY}` } }),
  );

const fields = (body: { error?: { details?: Array<{ field: string }> } }) => body.error?.details?.map((d) => d.field);
const listed = (body: { deliveries: Array<{ orderId: string; vendor: string; status: string }> }) => body.deliveries.map((d) => `${d.orderId}/${d.vendor}/${d.status}`);

describe('status=queued', () => {
  // A table of its own, so that the other tests see only the deliveries set up above.
  let own: TrackingStore;
  beforeAll(async () => {
    ({ store: own } = await createTestStore());
  });

  it('is refused with a 400 that says which statuses the listing covers and why queued is not among them', async () => {
    // A delivery in flight (claimed, no outcome yet) and one not yet claimed: the status route shows both `queued`.
    await own.createOrder({ orderId: 'Q-1', receivedAt: at(10), occurredAt: at(10).toISOString(), expiresAt: EXPIRES, deliveries: [
      { destination: 'kelkoo', status: 'queued' },
      { destination: 'klevu', status: 'queued' },
    ] });
    await own.claimDelivery('Q-1', 'kelkoo', at(10), 90, EXPIRES);
    const status = createStatusHandler({ config, store: own, apiKeys: new StaticApiKeys([API_KEY]), logger: recordingLogger().logger });
    const shown = await call(status, apiGatewayEvent({ method: 'GET', path: '/v1/conversions/Q-1', pathParameters: { orderId: 'Q-1' }, headers: { authorization: `Bearer ${API_KEY}` } }));
    expect(shown.body.deliveries.map((d: { status: string }) => d.status)).toEqual(['queued', 'queued']);

    for (const query of ['status=queued', 'status=failed,queued']) {
      const { status: code, body } = await list(query, own);
      expect({ query, code, fields: fields(body) }).toEqual({ query, code: 400, fields: ['status'] });
      const message = body.error.details[0].message as string;
      expect(message).toMatch(/retrying, failed, dead-lettered/);
      expect(message).toMatch(/queued/);
      expect(message).toMatch(/GET \/v1\/conversions\/\{orderId\}/);
    }
  });

  it('never lists a delivery as queued, not even a redriven one before its new outcome is recorded', async () => {
    await own.claimDelivery('Q-2', 'kelkoo', at(20), 90, EXPIRES);
    await own.recordDelivery('Q-2', 'kelkoo', { status: 'failed', error: 'HTTP 400', completedRequests: [], at: at(20) });
    expect(listed((await list('', own)).body)).toContain('Q-2/kelkoo/failed');

    expect(await own.reopenFailed('Q-2', 'kelkoo', at(21))).toBe(true);
    const all = (await list('limit=100', own)).body;
    expect(all.deliveries.map((d: { status: string }) => d.status)).not.toContain('queued');
    expect(listed(all).filter((d) => d.startsWith('Q-2/'))).toEqual([]);

    // Its outcome puts it back under that status.
    await own.claimDelivery('Q-2', 'kelkoo', at(22), 90, EXPIRES);
    await own.recordDelivery('Q-2', 'kelkoo', { status: 'retrying', error: 'HTTP 503', completedRequests: [], at: at(22) });
    expect(listed((await list('status=retrying', own)).body)).toContain('Q-2/kelkoo/retrying');
  });
});

describe('vendor filter', () => {
  it('accepts a cancellation destination and lists only its cancellation calls', async () => {
    const { status, body } = await list('vendor=awin-cancel');
    expect(status).toBe(200);
    expect(listed(body)).toEqual(['D-2/awin-cancel/retrying']);
  });

  it('lists a postback with its cancellation calls under its own id', async () => {
    expect(listed((await list('vendor=awin')).body)).toEqual(['D-2/awin-cancel/retrying', 'D-2/awin/failed']);
    expect(listed((await list('vendor=awin&status=failed')).body)).toEqual(['D-2/awin/failed']);
    // Page by page, one at a time.
    const first = await list('vendor=awin&limit=1');
    expect(listed(first.body)).toEqual(['D-2/awin-cancel/retrying']);
    const second = await list(`vendor=awin&limit=1&next=${first.body.next}`);
    expect(second.status).toBe(200);
    expect(listed(second.body)).toEqual(['D-2/awin/failed']);
  });

  it('lists only its own deliveries for a destination without cancellation calls', async () => {
    expect(listed((await list('vendor=net2')).body)).toEqual(['D-1/net2/failed']);
    expect(listed((await list('vendor=kelkoo&since=2026-11-01T10:05:00Z')).body)).toEqual(['D-4/kelkoo/failed']);
  });

  it('names every destination it accepts when refusing one', async () => {
    const { status, body } = await list('vendor=net2-cancel');
    expect({ status, fields: fields(body) }).toEqual({ status: 400, fields: ['vendor'] });
    expect(body.error.details[0].message).toBe('must be a configured destination: kelkoo, klevu, awin, net2, awin-cancel');
  });
});

describe('a tampered next cursor', () => {
  const key = (orderId: string, destination: string, status: UnsettledStatus, unsettledAt: string) => ({
    pk: `ORDER#${orderId}`,
    sk: `DELIVERY#${destination}`,
    unsettledStatus: status,
    unsettledAt,
  });
  const filterOf = (statuses: string[], vendor: string | null = null, since: string | null = null) => JSON.stringify([statuses, vendor, since]);
  const genuine = key('D-4', 'kelkoo', 'failed', at(5).toISOString());

  it('is accepted unchanged when it is what a page answered', async () => {
    const next = encodeCursor({ failed: genuine }, filterOf(['failed']));
    const { status, body } = await list(`status=failed&next=${next}`);
    expect(status).toBe(200);
    expect(listed(body)).toEqual(['D-2/awin/failed', 'D-1/net2/failed']);
  });

  it.each([
    ['an empty unsettledAt', filterOf(['failed']), { failed: { ...genuine, unsettledAt: '' } }, 'status=failed'],
    ['an unsettledAt that is no time of this listing', filterOf(['failed']), { failed: { ...genuine, unsettledAt: 'yesterday' } }, 'status=failed'],
    ['an unsettledAt before since', filterOf(['failed'], null, at(3).toISOString()), { failed: { ...genuine, unsettledAt: at(1).toISOString() } }, `status=failed&since=${at(3).toISOString()}`],
    ['an empty order id', filterOf(['failed']), { failed: { ...genuine, pk: 'ORDER#' } }, 'status=failed'],
    ['an empty destination', filterOf(['failed']), { failed: { ...genuine, sk: 'DELIVERY#' } }, 'status=failed'],
    ['a partition key over 2,048 bytes', filterOf(['failed']), { failed: { ...genuine, pk: `ORDER#${'é'.repeat(1022)}` } }, 'status=failed'],
    ['a sort key over 1,024 bytes', filterOf(['failed']), { failed: { ...genuine, sk: `DELIVERY#${'é'.repeat(508)}` } }, 'status=failed'],
    ['a lone surrogate', filterOf(['failed']), { failed: { ...genuine, pk: 'ORDER#\ud800' } }, 'status=failed'],
    ['a number for a key', filterOf(['failed']), { failed: { ...genuine, unsettledAt: 5 } }, 'status=failed'],
    ['a key of another partition', filterOf(['failed']), { failed: { ...genuine, unsettledStatus: 'retrying' } }, 'status=failed'],
    ['a key of another destination than the filter', filterOf(['failed'], 'awin'), { failed: genuine }, 'status=failed&vendor=awin'],
    ['nothing left to read', filterOf(['failed']), { failed: null }, 'status=failed'],
  ])('with %s is a 400 naming next', async (_, filter, cursor, query) => {
    const next = Buffer.from(JSON.stringify({ f: filter, c: cursor }), 'utf8').toString('base64url');
    const { status, body } = await list(`${query}&next=${next}`);
    expect({ status, fields: fields(body) }).toEqual({ status: 400, fields: ['next'] });
  });
});
