/**
 * The local console's reads against DynamoDB Local: a visitor's keys as the conversion would reach them, and orders
 * as the status route shows them.
 */
import { epochSeconds } from '../../lambdas/core/time';
import { documentClient } from '../../lambdas/store/document-client';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { ConsoleReader } from '../../local/console/reader';
import { createTestStore } from '../support/aws';
import { inDays, now, session, user } from '../support/visitors';


let store: TrackingStore;
let reader: ConsoleReader;

beforeAll(async () => {
  const created = await createTestStore();
  store = created.store;
  reader = new ConsoleReader(documentClient(created.client), created.tableName);
});

describe('a visitor', () => {
  it('shows all 40 keys of a chain of identify links, each with its click and the key that led to it', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => session(`chain-${i}`));
    await Promise.all(keys.map((key, i) => store.saveClicks([key], [{ key: 'kk', value: `kk-${i}`, occurredAt: now, expiresAt: inDays(30) }])));
    for (let i = 1; i < keys.length; i++) await store.linkVisitorKeys([keys[i - 1]!, keys[i]!], inDays(30));

    const nodes = await reader.visitor([keys[0]!], now);

    expect(nodes.map((node) => node.key)).toEqual(keys);
    expect(nodes.map((node) => node.via)).toEqual([undefined, ...keys.slice(0, -1)]);
    expect(nodes.map((node) => node.clicks.map((click) => click.value))).toEqual(keys.map((_, i) => [`kk-${i}`]));
    // The conversion reaches the same records.
    expect((await store.clicksForVisitor([keys[0]!], now)).map((click) => click.value).sort()).toEqual(keys.map((_, i) => `kk-${i}`).sort());
  });

  it('shows expired records and links as not live, and does not follow an expired link', async () => {
    await store.saveClicks([user('u-exp')], [{ key: 'kk', value: 'gone', occurredAt: now, expiresAt: epochSeconds(now) - 1 }]);
    await store.saveClicks([user('u-exp')], [{ key: 'gclid', value: 'g-1', occurredAt: now, expiresAt: inDays(30) }]);
    await store.linkVisitorKeys([user('u-exp'), session('s-exp-live')], inDays(30));
    await store.linkVisitorKeys([user('u-exp'), session('s-exp-dead')], epochSeconds(now) - 1);

    const nodes = await reader.visitor([user('u-exp')], now);

    expect(nodes.map((node) => node.key)).toEqual([user('u-exp'), session('s-exp-live')]);
    expect(nodes[0]!.clicks.map((click) => [click.key, click.live])).toEqual([
      ['gclid', true],
      ['kk', false],
    ]);
    expect(nodes[0]!.links.map((link) => [link.key.value, link.live])).toEqual([
      ['s-exp-dead', false],
      ['s-exp-live', true],
    ]);
    expect(nodes[1]).toEqual({ key: session('s-exp-live'), via: user('u-exp'), clicks: [], links: [{ key: user('u-exp'), expiresAt: inDays(30), live: true }] });
  });
});

describe('orders', () => {
  it('shows an order as the status route does: the plan until a record, then the record, records outside the plan last', async () => {
    await store.createOrder({
      orderId: 'C-1',
      receivedAt: now,
      occurredAt: now.toISOString(),
      expiresAt: inDays(400),
      deliveries: [
        { destination: 'kelkoo', status: 'queued' },
        { destination: 'klevu', status: 'skipped', reason: 'no shopper IP' },
      ],
    });
    await store.claimDelivery('C-1', 'kelkoo', now, 90, inDays(400));
    await store.recordDelivery('C-1', 'kelkoo', { status: 'retrying', error: 'HTTP 503', vendorStatus: 503, completedRequests: [], at: now });
    await store.claimDelivery('C-1', 'raptor', now, 90, inDays(400));

    const row = await reader.order('C-1');

    expect(row).toEqual({
      orderId: 'C-1',
      receivedAt: now.toISOString(),
      deliveries: [
        { vendor: 'kelkoo', status: 'retrying', attempts: 1, lastError: 'HTTP 503', vendorStatus: 503, updatedAt: now.toISOString() },
        { vendor: 'klevu', status: 'skipped', attempts: 0, reason: 'no shopper IP' },
        { vendor: 'raptor', status: 'queued', attempts: 1, updatedAt: now.toISOString() },
      ],
    });
    expect((await store.getOrder('C-1'))!.deliveries.map((d) => [d.vendor, d.status])).toEqual(row!.deliveries.map((d) => [d.vendor, d.status]));
    expect(await reader.order('C-none')).toBeUndefined();
    const listed = await reader.orders(500);
    expect(listed.orders.find((o) => o.orderId === 'C-1')).toEqual(row);
    // A delivery record whose order was never recorded is not an order.
    await store.claimDelivery('C-orphan', 'kelkoo', now, 90, inDays(400));
    expect((await reader.orders(500)).orders.map((o) => o.orderId)).not.toContain('C-orphan');
  });
});
