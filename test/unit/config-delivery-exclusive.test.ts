/**
 * lambdas/config/schema.ts: the delivery-ratio bounds, the destinations an exclusive group may name (an enabled vendor,
 * not a vendor key left undefined) and the `{channel}` check naming each template field that uses it.
 */
import { deliverySchema, parseConfig } from '../../lambdas/config/schema';
import { ConfigurationError } from '../../lambdas/core/errors';
import { SPEC_VENDORS } from '../support/config';

function details(raw: unknown): Array<{ field: string; message: string }> {
  try {
    parseConfig(raw);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.details;
    throw error;
  }
}

describe('delivery settings', () => {
  it.each([0, 0.5, 0.95, 1])('accepts a delivery ratio of %d', (minDeliveryRatio) => {
    expect(deliverySchema().parse({ minDeliveryRatio })).toEqual({ maxAttempts: 5, retryFor: '24h', retryBaseSeconds: 30, maxRetryDelay: '15m', timeoutMs: 5000, minDeliveryRatio });
  });

  it.each([-0.01, 1.01, 2])('refuses a delivery ratio of %d', (minDeliveryRatio) => {
    expect(deliverySchema().safeParse({ minDeliveryRatio }).success).toBe(false);
    expect(details({ vendors: {}, delivery: { minDeliveryRatio } }).map((d) => d.field)).toEqual(['delivery.minDeliveryRatio']);
  });
});

describe('exclusive groups and the configured destinations', () => {
  const awin = { clickIdParam: 'awc', url: 'https://n.example/pb?ref={order.orderId}&cks={clickId}' };

  it('does not count a vendor key left undefined as an enabled vendor', () => {
    const raw = { vendors: { kelkoo: undefined }, postbacks: { awin }, attribution: { exclusive: { g: { members: ['kelkoo', 'awin'] } } } };
    expect(details(raw)).toEqual([{ field: 'attribution.exclusive.g.members.0', message: 'unknown member "kelkoo": not an enabled vendor or postback (awin)' }]);
    expect(details({ ...raw, vendors: { kelkoo: SPEC_VENDORS.kelkoo } })).toEqual([]);
  });

  it('names every template field that uses {channel} outside a group', () => {
    const channel = {
      clickIdParam: 'awc',
      url: 'https://n.example/pb?ref={order.orderId}&cks={clickId}&ch={channel}',
      method: 'POST',
      body: 'ch={channel}',
      cancel: { url: 'https://n.example/c?ref={order.orderId}&ch={channel}', method: 'POST', body: 'ch={channel}' },
    };
    const message = '{channel} needs the destination to be a member of an exclusive group';
    expect(details({ vendors: {}, postbacks: { awin: channel } })).toEqual(
      ['url', 'body', 'cancel.url', 'cancel.body'].map((field) => ({ field: `postbacks.awin.${field}`, message })),
    );
    expect(details({ vendors: {}, postbacks: { awin: channel }, attribution: { exclusive: { g: { members: ['awin'] } } } })).toEqual([]);
  });
});
