import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../lambdas/store/document-client';
import { epochSeconds } from '../../lambdas/core/time';
import type { VisitorKey } from '../../lambdas/core/visitor';
import { NewOrder, TrackingStore } from '../../lambdas/store/tracking-store';
import { createTestStore } from '../support/aws';
import { inDays, now, session, user } from '../support/visitors';


let store: TrackingStore;
let tableName: string;
let client: Awaited<ReturnType<typeof createTestStore>>['client'];

beforeAll(async () => {
  ({ store, tableName, client } = await createTestStore());
});

function newOrder(orderId: string, destinations = ['kelkoo']): NewOrder {
  return {
    orderId,
    receivedAt: now,
    occurredAt: now.toISOString(),
    expiresAt: inDays(400),
    deliveries: destinations.map((destination) => ({ destination, status: 'queued' as const })),
  };
}

describe('click records and visitor links', () => {
  it('stores a click under every visitor key given', async () => {
    await store.saveClicks([session('s-a'), user('u-a')], [{ key: 'kk', value: 'kk-1', occurredAt: now, expiresAt: inDays(30) }]);
    expect((await store.clicksForVisitor([session('s-a')], now)).map((c) => c.value)).toEqual(['kk-1']);
    expect((await store.clicksForVisitor([user('u-a')], now)).map((c) => c.value)).toEqual(['kk-1']);
  });

  it('does not return a record whose TTL has passed, though DynamoDB has not deleted it yet', async () => {
    await store.saveClicks([session('s-old')], [{ key: 'kk', value: 'old', occurredAt: now, expiresAt: epochSeconds(now) - 1 }]);
    expect(await store.clicksForVisitor([session('s-old')], now)).toEqual([]);
  });

  it('replaces a click id with the newer capture of the same key', async () => {
    await store.saveClicks([session('s-b')], [{ key: 'kk', value: 'first', occurredAt: now, expiresAt: inDays(30) }]);
    await store.saveClicks([session('s-b')], [{ key: 'kk', value: 'second', occurredAt: new Date(now.getTime() + 1000), expiresAt: inDays(30) }]);
    expect((await store.clicksForVisitor([session('s-b')], now)).map((c) => c.value)).toEqual(['second']);
  });

  it('writes more than one batch when keys × click ids exceed 25 items', async () => {
    const clicks = Array.from({ length: 12 }, (_, i) => ({ key: `p${i}`, value: `v${i}`, occurredAt: now, expiresAt: inDays(30) }));
    const keys = [session('s-many'), user('u-many'), { kind: 'basketId', value: 'b-many' } as VisitorKey];
    await store.saveClicks(keys, clicks);
    expect(await store.clicksForVisitor([{ kind: 'basketId', value: 'b-many' }], now)).toHaveLength(12);
  });

  it('follows identify links across sessions: s-1 ↔ u-1 ↔ s-7 reaches s-1 from s-7 alone', async () => {
    await store.saveClicks([session('s-1x')], [{ key: 'kk', value: 'from-s1', occurredAt: now, expiresAt: inDays(30) }]);
    await store.linkVisitorKeys([session('s-1x'), user('u-1x')], inDays(30));
    await store.linkVisitorKeys([session('s-7x'), user('u-1x')], inDays(30));
    expect((await store.clicksForVisitor([session('s-7x')], now)).map((c) => c.value)).toEqual(['from-s1']);
    expect(await store.clicksForVisitor([session('unrelated')], now)).toEqual([]);
  });

  it('ignores expired links', async () => {
    await store.saveClicks([session('s-2x')], [{ key: 'kk', value: 'v', occurredAt: now, expiresAt: inDays(30) }]);
    await store.linkVisitorKeys([session('s-2x'), user('u-2x')], epochSeconds(now) - 1);
    expect(await store.clicksForVisitor([user('u-2x')], now)).toEqual([]);
  });

  it('erases a visitor: its clicks, its links and the links pointing back at it', async () => {
    await store.saveClicks([session('s-e')], [{ key: 'kk', value: 'v', occurredAt: now, expiresAt: inDays(30) }]);
    await store.saveClicks([user('u-e')], [{ key: 'gclid', value: 'g', occurredAt: now, expiresAt: inDays(30) }]);
    await store.linkVisitorKeys([session('s-e'), user('u-e')], inDays(30));
    const erased = await store.eraseVisitor([session('s-e')]);
    expect(erased).toBe(3); // its click, its link, and u-e's link back
    expect(await store.clicksForVisitor([session('s-e')], now)).toEqual([]);
    // u-e keeps its own click but no longer reaches s-e
    expect((await store.clicksForVisitor([user('u-e')], now)).map((c) => c.key)).toEqual(['gclid']);
  });
  it('reads the graph of keys a visitor reached, one Query per key, and gives the conversion its live clicks', async () => {
    // u-g links s-g1 and s-g2; s-g2 also links b-g (2 hops from u-g); s-g3's link to u-g has expired.
    const basket: VisitorKey = { kind: 'basketId', value: 'b-g' };
    await store.saveClicks([session('s-g1')], [{ key: 'kk', value: 'kk-g1', occurredAt: now, expiresAt: inDays(30) }]);
    await store.saveClicks([basket], [{ key: 'gclid', value: 'g-b', occurredAt: now, expiresAt: inDays(30) }]);
    await store.saveClicks([basket], [{ key: 'kk', value: 'kk-expired', occurredAt: now, expiresAt: epochSeconds(now) - 1 }]);
    await store.linkVisitorKeys([user('u-g'), session('s-g1'), session('s-g2')], inDays(30));
    await store.linkVisitorKeys([session('s-g2'), basket], inDays(30));
    await store.linkVisitorKeys([user('u-g'), session('s-g3')], epochSeconds(now) - 1);
    const doc = documentClient(client);
    const send = jest.spyOn(doc, 'send');
    const counted = new TrackingStore(doc, tableName);

    const graph = await counted.visitors.visitorGraph([user('u-g')], now);
    expect(graph.map((node) => [node.key.value, node.via?.value])).toEqual([
      ['u-g', undefined],
      ['s-g1', 'u-g'],
      ['s-g2', 'u-g'],
      ['b-g', 's-g2'],
    ]);
    expect(graph[0]!.links.map((link) => [link.key.value, link.live])).toEqual([
      ['s-g1', true],
      ['s-g2', true],
      ['s-g3', false],
    ]);
    expect(graph[3]!.clicks.map((click) => [click.value, click.live])).toEqual([
      ['g-b', true],
      ['kk-expired', false],
    ]);
    const queries = () => send.mock.calls.map(([command]) => (command as QueryCommand).input);
    expect(queries().map((input) => [input.ExpressionAttributeValues?.[':pk'], input.ConsistentRead])).toEqual([
      ['VIS#u#u-g', undefined],
      ['VIS#s#s-g1', undefined],
      ['VIS#s#s-g2', undefined],
      ['VIS#b#b-g', undefined],
    ]);

    send.mockClear();
    expect(await counted.clicksForVisitor([user('u-g'), user('u-g')], now)).toEqual([
      { key: 'kk', value: 'kk-g1', occurredAt: now.toISOString(), expiresAt: inDays(30) },
      { key: 'gclid', value: 'g-b', occurredAt: now.toISOString(), expiresAt: inDays(30) },
    ]);
    expect(send.mock.calls.every(([command]) => command instanceof QueryCommand)).toBe(true);
    expect(send).toHaveBeenCalledTimes(4);
  });
});

describe('orders', () => {
  it('creates an order once; a second create of the same orderId is refused', async () => {
    expect(await store.createOrder(newOrder('O-1'))).toBe(true);
    expect(await store.createOrder(newOrder('O-1'))).toBe(false);
    const view = await store.getOrder('O-1');
    expect(view?.deliveries).toEqual([{ vendor: 'kelkoo', status: 'queued', attempts: 0 }]);
  });

  it('lets exactly one of many concurrent creates win', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => store.createOrder(newOrder('O-race'))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('shows the plan until a sender claims a delivery, then the delivery record', async () => {
    await store.createOrder({
      ...newOrder('O-plan'),
      deliveries: [
        { destination: 'kelkoo', status: 'queued' },
        { destination: 'klevu', status: 'skipped', reason: 'no shopper IP' },
      ],
    });
    expect((await store.getOrder('O-plan'))!.deliveries).toEqual([
      { vendor: 'kelkoo', status: 'queued', attempts: 0 },
      { vendor: 'klevu', status: 'skipped', attempts: 0, reason: 'no shopper IP' },
    ]);
    await store.claimDelivery('O-plan', 'kelkoo', now, 90, inDays(400));
    await store.recordDelivery('O-plan', 'kelkoo', { status: 'retrying', error: 'HTTP 503', vendorStatus: 503, completedRequests: [], at: now });
    // A record outside the plan (a concurrent report that attributed differently) is listed too.
    await store.claimDelivery('O-plan', 'raptor', now, 90, inDays(400));
    expect((await store.getOrder('O-plan'))!.deliveries).toEqual([
      { vendor: 'kelkoo', status: 'retrying', attempts: 1, lastError: 'HTTP 503', vendorStatus: 503 },
      { vendor: 'klevu', status: 'skipped', attempts: 0, reason: 'no shopper IP' },
      { vendor: 'raptor', status: 'queued', attempts: 1 },
    ]);
  });

  it('keeps no order content on the order record: ids, times and the plan only', async () => {
    await store.createOrder(newOrder('O-lean'));
    const raw = await documentClient(client).send(new GetCommand({ TableName: tableName, Key: { pk: 'ORDER#O-lean', sk: 'ORDER' } }));
    expect(Object.keys(raw.Item!).sort()).toEqual(['occurredAt', 'orderId', 'pk', 'plan', 'receivedAt', 'sk', 'ttl']);
  });

  it('sets every order and delivery item to expire after the retention period', async () => {
    await store.createOrder(newOrder('O-ttl'));
    await store.claimDelivery('O-ttl', 'kelkoo', now, 90, inDays(400));
    const doc = documentClient(client);
    const order = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'ORDER#O-ttl', sk: 'ORDER' } }));
    const delivery = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'ORDER#O-ttl', sk: 'DELIVERY#kelkoo' } }));
    expect(order.Item?.ttl).toBe(inDays(400));
    expect(delivery.Item?.ttl).toBe(inDays(400));
  });

  it('reads an order partition once into the status and cancellation views', async () => {
    await store.createOrder({
      ...newOrder('O-read', ['kelkoo', 'klevu', 'awin']),
      groups: [{ group: 'affiliates', winner: 'awin', channel: 'affiliate' }],
    });
    await store.claimDelivery('O-read', 'kelkoo', now, 90, inDays(400));
    const cancelWith = { order: { orderId: 'O-read' }, context: { clickId: 'c-1' } } as never;
    await store.claimDelivery('O-read', 'awin', now, 90, inDays(400));
    await store.recordDelivery('O-read', 'awin', { status: 'sent', vendorStatus: 200, at: now, cancelWith });
    await store.recordCancellationUnsupported('O-read', 'awin');
    await store.markOrderCancelled('O-read', { requestedAt: now.toISOString(), reason: 'returned' });

    const partition = await store.orders.readOrder('O-read');
    expect(partition!.order).toEqual({
      orderId: 'O-read',
      receivedAt: now.toISOString(),
      expiresAt: inDays(400),
      plan: ['kelkoo', 'klevu', 'awin'].map((destination) => ({ destination, status: 'queued' })),
      groups: [{ group: 'affiliates', winner: 'awin', channel: 'affiliate' }],
      cancellation: { requestedAt: now.toISOString(), reason: 'returned' },
    });
    expect(partition!.deliveries.map((d) => d.destination)).toEqual(['awin', 'kelkoo']);

    expect(await store.getOrder('O-read')).toEqual({
      orderId: 'O-read',
      receivedAt: now.toISOString(),
      deliveries: [
        { vendor: 'kelkoo', status: 'queued', attempts: 1 },
        { vendor: 'klevu', status: 'queued', attempts: 0 },
        { vendor: 'awin', status: 'sent', attempts: 1, vendorStatus: 200, sentAt: now.toISOString(), cancellation: 'unsupported' },
      ],
      groups: [{ group: 'affiliates', winner: 'awin', channel: 'affiliate' }],
      cancellation: { requestedAt: now.toISOString(), reason: 'returned' },
    });
    const cancellable = await store.getCancellableOrder('O-read');
    expect(cancellable).toEqual({
      orderId: 'O-read',
      expiresAt: inDays(400),
      cancellation: { requestedAt: now.toISOString(), reason: 'returned' },
      plan: ['kelkoo', 'klevu', 'awin'].map((destination) => ({ destination, status: 'queued' })),
      records: new Map([
        ['awin', { destination: 'awin', status: 'sent', cancelWith, cancellation: 'unsupported' }],
        ['kelkoo', { destination: 'kelkoo', status: 'queued', leaseUntil: now.getTime() + 90_000 }],
      ]),
    });
    expect(await store.getCancellableOrder('O-unknown')).toBeUndefined();
    expect(await store.orders.readOrder('O-unknown')).toBeUndefined();
  });
});

describe('delivery claims', () => {
  it('claims an owed delivery once, counts the attempt, and refuses a second claimant while leased', async () => {
    await store.createOrder(newOrder('D-1'));
    expect(await store.claimDelivery('D-1', 'kelkoo', now, 90, inDays(400))).toEqual({ kind: 'claimed', attempts: 1, completedRequests: [], leaseUntil: now.getTime() + 90_000 });
    expect(await store.claimDelivery('D-1', 'kelkoo', now, 90, inDays(400))).toEqual({ kind: 'busy' });
  });

  it('lets exactly one of many concurrent senders claim', async () => {
    await store.createOrder(newOrder('D-race'));
    const claims = await Promise.all(Array.from({ length: 8 }, () => store.claimDelivery('D-race', 'kelkoo', now, 90, inDays(400))));
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'busy')).toHaveLength(7);
  });

  it('never claims a delivery that is sent, and never downgrades it', async () => {
    await store.createOrder(newOrder('D-sent'));
    await store.claimDelivery('D-sent', 'kelkoo', now, 90, inDays(400));
    await store.recordDelivery('D-sent', 'kelkoo', { status: 'sent', vendorStatus: 200, at: now });
    await store.recordDelivery('D-sent', 'kelkoo', { status: 'retrying', error: 'late', completedRequests: [], at: now });
    expect(await store.claimDelivery('D-sent', 'kelkoo', new Date(now.getTime() + 3_600_000), 90, inDays(400))).toEqual({ kind: 'done', status: 'sent' });
    const view = await store.getOrder('D-sent');
    expect(view!.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1, vendorStatus: 200, sentAt: now.toISOString() });
    expect(view!.deliveries[0]!.lastError).toBeUndefined();
  });

  it('lets a retry resume after a lease expires, remembering requests already delivered', async () => {
    await store.createOrder(newOrder('D-resume'));
    await store.claimDelivery('D-resume', 'kelkoo', now, 90, inDays(400));
    await store.recordDelivery('D-resume', 'kelkoo', { status: 'retrying', error: 'HTTP 503', vendorStatus: 503, completedRequests: ['item-1'], at: now });
    const claim = await store.claimDelivery('D-resume', 'kelkoo', now, 90, inDays(400));
    expect(claim).toEqual({ kind: 'claimed', attempts: 2, completedRequests: ['item-1'], leaseUntil: expect.any(Number) });
  });

  it('records progress line by line only under the lease that claimed it, and keeps it for the next claim', async () => {
    await store.createOrder(newOrder('D-progress'));
    const first = await store.claimDelivery('D-progress', 'raptor', now, 90, inDays(400));
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    expect(await store.recordProgress('D-progress', 'raptor', ['item-1'], first.leaseUntil)).toBe(true);
    expect(await store.recordProgress('D-progress', 'raptor', ['item-2', 'item-3'], first.leaseUntil)).toBe(true);
    // The holder stops in time and gives the delivery back: the next claim succeeds at once and resumes.
    await store.releaseDelivery('D-progress', 'raptor', first.leaseUntil);
    const second = await store.claimDelivery('D-progress', 'raptor', new Date(now.getTime() + 1000), 90, inDays(400));
    expect(second).toMatchObject({ kind: 'claimed', completedRequests: ['item-1', 'item-2', 'item-3'] });
    // The first holder's lease is gone: its late writes are refused and cannot release the new holder's lease.
    expect(await store.recordProgress('D-progress', 'raptor', ['item-4'], first.leaseUntil)).toBe(false);
    await store.releaseDelivery('D-progress', 'raptor', first.leaseUntil);
    expect((await store.claimDelivery('D-progress', 'raptor', new Date(now.getTime() + 2000), 90, inDays(400))).kind).toBe('busy');
  });

  it('takes over a delivery whose holder died once its lease has expired', async () => {
    await store.createOrder(newOrder('D-dead-holder'));
    await store.claimDelivery('D-dead-holder', 'kelkoo', now, 90, inDays(400));
    const afterLease = new Date(now.getTime() + 91_000);
    expect((await store.claimDelivery('D-dead-holder', 'kelkoo', afterLease, 90, inDays(400))).kind).toBe('claimed');
  });

  it('creates the delivery record on the first claim, even before the order is recorded', async () => {
    // The conversion queues first and records second: a sender may get there in between.
    expect(await store.claimDelivery('D-early', 'kelkoo', now, 90, inDays(400))).toEqual({ kind: 'claimed', attempts: 1, completedRequests: [], leaseUntil: now.getTime() + 90_000 });
    await store.recordDelivery('D-early', 'kelkoo', { status: 'sent', vendorStatus: 200, at: now });
    await store.createOrder(newOrder('D-early'));
    expect((await store.getOrder('D-early'))!.deliveries).toEqual([{ vendor: 'kelkoo', status: 'sent', attempts: 1, vendorStatus: 200, sentAt: now.toISOString() }]);
  });
});
