/**
 * requestsFor (lambdas/config/destinations.ts): the one place a queued message becomes vendor requests, shared by the
 * sender, the dry run and the console – the group's {channel} included, a context the destination cannot read refused.
 */
import { destinationsOf, MessageContextError, requestsFor } from '../../lambdas/config/destinations';
import { parseConfig } from '../../lambdas/config/schema';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import type { Order } from '../../lambdas/core/order';
import { SPEC_VENDORS } from '../support/config';

const ORDER: Order = {
  orderId: 'ORD-1',
  currency: 'EUR',
  orderValue: 60,
  netValue: 50,
  items: [
    { productId: 'P1', name: 'Thing', unitPrice: 20, quantity: 1 },
    { productId: 'P2', name: 'Other', unitPrice: 40, quantity: 1 },
  ],
  occurredAt: '2026-11-21T10:05:00.000Z',
};

function config() {
  return parseConfig({
    vendors: { kelkoo: SPEC_VENDORS.kelkoo, raptor: SPEC_VENDORS.raptor },
    postbacks: { awin: { clickIdParam: 'awc', url: 'https://pb.example/s?ref={order.orderId}&cks={clickId}&ch={channel}' } },
    attribution: { exclusive: { affiliates: { members: ['awin'], noClickChannel: 'direct' } } },
  });
}

const destination = (id: string) => destinationsOf(config()).find((d) => d.id === id)!;
const base = { order: ORDER, receivedAt: '2026-11-21T10:05:01.000Z', expiresAt: 1_900_000_000 };

describe('requestsFor', () => {
  it("fills {channel} with the group's decision carried by a version 2 message", () => {
    const message: DeliveryMessage = {
      version: 2,
      destination: 'awin',
      context: { clickId: 'a b' },
      exclusive: { group: 'affiliates', winner: 'qualityclick', channel: 'qualityclick', won: false },
      ...base,
    };
    expect(requestsFor(destination('awin'), message).map((r) => r.url)).toEqual(['https://pb.example/s?ref=ORD-1&cks=a%20b&ch=qualityclick']);
  });

  it('leaves {channel} empty for a version 1 message, as the sender always did', () => {
    const message: DeliveryMessage = { version: 1, destination: 'awin', context: { clickId: 'c' }, ...base };
    expect(requestsFor(destination('awin'), message).map((r) => r.url)).toEqual(['https://pb.example/s?ref=ORD-1&cks=c&ch=']);
  });

  it("builds every call of a multi-call destination, in the adapter's order and with its keys", () => {
    const raptor = destination('raptor');
    const context = { coid: '0c0f3a9e-6b1e-4c53-9e4a-7d3c1f0b2a11', sid: '5d1e7f2a-8c3b-4e6d-a1f0-9b2c3d4e5f60' };
    const message: DeliveryMessage = { version: 1, destination: 'raptor', context, ...base };
    const requests = requestsFor(raptor, message);
    expect(requests).toEqual(raptor.adapter.buildRequests({ order: ORDER, config: raptor.config, context }));
    expect(requests).toHaveLength(2);
    expect(new Set(requests.map((r) => r.key)).size).toBe(2);
  });

  it('reads the context through the adapter schema: a context of another destination is refused, naming this one', () => {
    const message: DeliveryMessage = { version: 1, destination: 'kelkoo', context: { clickId: 'c' }, ...base };
    expect(() => requestsFor(destination('kelkoo'), message)).toThrow(MessageContextError);
    expect(() => requestsFor(destination('kelkoo'), message)).toThrow(/^context does not match kelkoo: /);
  });
});
