/**
 * The replay record (lambdas/store/replay-records.ts) and the replay's decision (scripts/replay.ts), pure: what the
 * order record keeps of a conversion's messages – never the shopper, never a context holding the shopper's IP or
 * e-mail – and the message rebuilt from it, whose digest is the first one's when the order had no shopper.
 */
import { destinationsOf } from '../../lambdas/config/destinations';
import { parseConfig } from '../../lambdas/config/schema';
import { DeliveryMessage, messageDigest } from '../../lambdas/core/delivery';
import type { Order } from '../../lambdas/core/order';
import type { OrderPartition } from '../../lambdas/store/order-partition';
import { replayedMessage, replayRecordOf } from '../../lambdas/store/replay-records';
import { decideReplay } from '../../scripts/replay';

const order = (shopper?: Order['shopper']): Order => ({
  orderId: 'CMD0572084',
  currency: 'EUR',
  orderValue: 609.07,
  netValue: 503.36,
  country: 'fr',
  items: [{ productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 }],
  occurredAt: '2026-11-21T10:05:00.000Z',
  ...(shopper ? { shopper } : {}),
});

function message(destination: string, of: Order, context: Record<string, unknown>, exclusive?: Extract<DeliveryMessage, { version: 2 }>['exclusive']): DeliveryMessage {
  const base = { destination, order: of, context, receivedAt: '2026-11-21T10:05:01.000Z', expiresAt: 1_830_000_000 };
  const digest = messageDigest({ ...base, ...(exclusive ? { exclusive } : {}) });
  return exclusive ? { version: 2, ...base, exclusive, digest } : { version: 1, ...base, digest };
}

const RECEIVED = { receivedAt: '2026-11-21T10:05:01.000Z', expiresAt: 1_830_000_000 };

describe('replayRecordOf', () => {
  it('keeps nothing when nothing was queued', () => {
    expect(replayRecordOf(order({ ip: '203.0.113.7' }), [])).toBeUndefined();
  });

  it('keeps the order without the shopper, the names of the shopper fields given, each context and group verdict', () => {
    const reported = order({ ip: '203.0.113.7', email: 'jane@shop.example', city: 'Lyon' });
    const verdict = { group: 'affiliates', winner: 'tradedoubler', channel: 'tradedoubler', won: false };
    const record = replayRecordOf(reported, [message('kelkoo', reported, { saleId: '0.42', kelkooId: 'kk-1' }), message('awin', reported, { clickId: 'awc-1' }, verdict)]);
    expect(record).toEqual({
      order: { ...reported, shopper: undefined },
      shopperFields: ['ip', 'email', 'city'],
      destinations: { kelkoo: { context: { saleId: '0.42', kelkooId: 'kk-1' } }, awin: { context: { clickId: 'awc-1' }, exclusive: verdict } },
    });
    expect(record!.order).not.toHaveProperty('shopper');
    expect(JSON.stringify(record)).not.toMatch(/203\.0\.113\.7|jane@shop\.example|Lyon/);
  });

  it('keeps no context that holds the shopper e-mail or IP, in any spelling, and says so', () => {
    const reported = order({ ip: '2001:db8::1', email: 'Jane.Doe@shop.example' });
    const record = replayRecordOf(reported, [
      message('raptor', reported, { coid: 'c-1', sid: 's-1', ruid: 'JANE.DOE@SHOP.EXAMPLE' }),
      message('net1', reported, { clickId: '2001:0DB8:0000:0000:0000:0000:0000:0001' }),
      message('net2', reported, { clickId: 'awc-2' }),
    ]);
    expect(record!.destinations).toEqual({ raptor: { personal: true }, net1: { personal: true }, net2: { context: { clickId: 'awc-2' } } });
    expect(JSON.stringify(record)).not.toMatch(/jane|2001/i);
  });
});

describe('replayedMessage', () => {
  it('rebuilds the message as queued, with the digest of the message without the shopper', () => {
    const withShopper = order({ ip: '203.0.113.7' });
    const first = message('kelkoo', withShopper, { saleId: '0.42', kelkooId: 'kk-1' });
    const rebuilt = replayedMessage(replayRecordOf(withShopper, [first])!, 'kelkoo', RECEIVED)!;
    const { shopper: _shopper, ...content } = withShopper;
    expect(rebuilt).toEqual({ ...first, order: content, digest: messageDigest({ ...first, order: content as Order }) });
    // The shopper changed the digest, so a replay has to record the new one; without a shopper it is the same.
    expect(rebuilt.digest).not.toBe(first.digest);
    const withoutShopper = order();
    const plain = message('kelkoo', withoutShopper, { saleId: '0.42' });
    expect(replayedMessage(replayRecordOf(withoutShopper, [plain])!, 'kelkoo', RECEIVED)).toEqual(plain);
  });

  it('keeps a group verdict in a version 2 message, and rebuilds nothing for a personal or unknown destination', () => {
    const reported = order({ email: 'jane@shop.example' });
    const verdict = { group: 'g', winner: null, channel: 'direct', won: false };
    const record = replayRecordOf(reported, [message('awin', reported, { clickId: 'a' }, verdict), message('raptor', reported, { coid: 'c', sid: 's', ruid: 'jane@shop.example' })])!;
    expect(replayedMessage(record, 'awin', RECEIVED)).toMatchObject({ version: 2, exclusive: verdict });
    expect(replayedMessage(record, 'raptor', RECEIVED)).toBeUndefined();
    expect(replayedMessage(record, 'kelkoo', RECEIVED)).toBeUndefined();
  });
});

describe('decideReplay', () => {
  const config = parseConfig({
    vendors: {
      raptor: { customerId: '1234', purchaseParams: { p1: 'buy', p2: '{item.productId}' } },
      klevu: { apiKey: 'klevu-1234567890', sendEmail: true },
    },
    postbacks: { net1: { clickIdParam: 'n1', reportWithinDays: 30, url: 'https://net1.example/s?ref={order.orderId}&cks={clickId}' } },
  });
  const destination = (id: string) => destinationsOf(config).find((d) => d.id === id)!;
  const partition = (reported: Order, messages: DeliveryMessage[], records: OrderPartition['deliveries'] = []): OrderPartition => ({
    order: {
      orderId: reported.orderId,
      ...RECEIVED,
      plan: messages.map((m) => ({ destination: m.destination, status: 'queued' as const, digest: m.digest! })),
      replay: replayRecordOf(reported, messages)!,
    },
    deliveries: records,
  });
  const now = new Date('2026-12-20T00:00:00Z');

  it('refuses a destination whose values held the shopper e-mail, naming the redrive', () => {
    const reported = order({ email: 'jane@shop.example' });
    const decision = decideReplay(reported.orderId, partition(reported, [message('raptor', reported, { coid: 'c', sid: 's', ruid: 'jane@shop.example' })]), destination('raptor'), now);
    expect(decision).toEqual({ kind: 'refused', orderId: reported.orderId, reason: expect.stringMatching(/^the values of raptor's message held the shopper's IP or e-mail .*npm run redrive/) });
  });

  it("names each shopper field the destination's call carries, and none it does not", () => {
    const reported = order({ ip: '203.0.113.7', email: 'jane@shop.example', country: 'FR', city: 'Lyon' });
    const decision = decideReplay(reported.orderId, partition(reported, [message('klevu', reported, {})]), destination('klevu'), now);
    expect(decision).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^klevu's call carries the shopper's IP, e-mail, country and city, which/) });
    const postback = decideReplay(reported.orderId, partition(reported, [message('net1', reported, { clickId: 'n-1' })]), destination('net1'), now);
    expect(postback).toMatchObject({ kind: 'replay', status: 'queued', planIndex: 0, requests: [{ method: 'GET', url: `https://net1.example/s?ref=${reported.orderId}&cks=n-1` }] });
  });

  it('judges the reporting window from the order time, to the day', () => {
    const reported = order();
    const within = decideReplay(reported.orderId, partition(reported, [message('net1', reported, { clickId: 'n-1' })]), destination('net1'), new Date('2026-12-21T10:05:00.000Z'));
    expect(within.kind).toBe('replay');
    const past = decideReplay(reported.orderId, partition(reported, [message('net1', reported, { clickId: 'n-1' })]), destination('net1'), new Date('2026-12-21T10:05:00.001Z'));
    expect(past).toMatchObject({ kind: 'refused', reason: 'net1 accepts a sale up to 30 days after the order (its reporting window); this one was placed on 2026-11-21T10:05:00.000Z, 30 days ago' });
  });

  it('sends nothing for a sent delivery, refuses one a sender holds, and replays a failed one against its recorded digest', () => {
    const reported = order();
    const queued = [message('net1', reported, { clickId: 'n-1' })];
    const sent = decideReplay(reported.orderId, partition(reported, queued, [{ destination: 'net1', status: 'sent', attempts: 2, sentAt: '2026-11-21T10:06:00.000Z' }]), destination('net1'), now);
    expect(sent).toEqual({ kind: 'sent', orderId: reported.orderId, sentAt: '2026-11-21T10:06:00.000Z' });
    const held = decideReplay(reported.orderId, partition(reported, queued, [{ destination: 'net1', status: 'retrying', attempts: 2, leaseUntil: now.getTime() + 1 }]), destination('net1'), now);
    expect(held).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^a sender is sending it right now/) });
    const failed = decideReplay(reported.orderId, partition(reported, queued, [{ destination: 'net1', status: 'failed', attempts: 1, lastError: 'HTTP 403' }]), destination('net1'), now);
    expect(failed).toMatchObject({ kind: 'replay', status: 'failed', lastError: 'HTTP 403', recordedDigest: queued[0]!.digest });
  });
});
