/**
 * What adapters declare beyond a sale call (`capabilities`), asked by the sender, the cancellation rules, the
 * configuration's {channel} check and the console – and the planning step shared by the click-id destinations.
 */
import { MessageContextError } from '../../../lambdas/config/destinations';
import { clickmeter } from '../../../lambdas/vendors/clickmeter/adapter';
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { postbackCancel } from '../../../lambdas/vendors/postback/cancel';
import type { PostbackConfig } from '../../../lambdas/vendors/postback/config';
import { qualityclick } from '../../../lambdas/vendors/qualityclick/adapter';
import { vendorAdapters } from '../../../lambdas/vendors/registry';
import type { Order } from '../../../lambdas/core/order';
import { SPEC_VENDORS } from '../../support/config';

const order = (netValue: number): Order => ({
  orderId: 'O-1',
  currency: 'EUR',
  orderValue: 10,
  netValue,
  items: [{ productId: 'P', name: 'N', unitPrice: 10, quantity: 1 }],
  occurredAt: '2026-11-21T10:00:00.000Z',
});

describe('capabilities', () => {
  it('only the postback cancellation adapter makes cancellation-only deliveries', () => {
    expect(postbackCancel.capabilities?.cancellationOnly).toBe(true);
    for (const adapter of [postback, ...Object.values(vendorAdapters)]) expect(adapter.capabilities?.cancellationOnly).toBeUndefined();
  });

  it('a postback has a cancellation call exactly when it has a cancel template; no seed vendor has one', () => {
    const sale = { clickIdParam: 'awc', url: 'https://n.example/pb?ref={order.orderId}' } as PostbackConfig;
    expect(postback.capabilities?.cancellationCall?.(sale)).toBe(false);
    expect(postback.capabilities?.cancellationCall?.({ ...sale, cancel: { url: 'https://n.example/c', method: 'GET' } } as PostbackConfig)).toBe(true);
    for (const adapter of Object.values(vendorAdapters)) expect(adapter.capabilities?.cancellationCall).toBeUndefined();
  });

  it('names the postback template fields that use {channel}, in order, and none that do not', () => {
    const fields = postback.capabilities!.channelFields!;
    const plain = { clickIdParam: 'awc', url: 'https://n.example/pb?ref={order.orderId}' } as PostbackConfig;
    expect(fields(plain)).toEqual([]);
    expect(
      fields({
        ...plain,
        url: 'https://n.example/pb?ch={channel}',
        body: 'ch={channel}',
        cancel: { url: 'https://n.example/c?ch={channel}', method: 'POST', body: 'ch={channel}' },
      } as PostbackConfig),
    ).toEqual(['url', 'body', 'cancel.url', 'cancel.body']);
    expect(fields({ ...plain, cancel: { url: 'https://n.example/c', method: 'POST', body: '{channel}' } } as PostbackConfig)).toEqual(['cancel.body']);
  });
});

describe('planning on one click id', () => {
  const none = () => undefined;
  const held = (value: string) => () => value;

  it('ClickMeter says which identifier it misses, in its own words', () => {
    expect(clickmeter.plan({ order: order(5), config: clickmeter.configSchema().parse(SPEC_VENDORS.clickmeter), click: none, random: Math.random })).toEqual({
      deliver: false,
      reason: 'no live s1 click identifier (ClickMeter [s2sidentifier]) for this visitor',
    });
  });

  it('QUALITYCLICK names the missing click before a negative net value, and refuses a negative net value with a click', () => {
    const config = qualityclick.configSchema().parse(SPEC_VENDORS.qualityclick);
    expect(qualityclick.plan({ order: order(-1), config, click: none, random: Math.random })).toEqual({
      deliver: false,
      reason: 'no live qc_clickid click identifier for this visitor',
    });
    expect(qualityclick.plan({ order: order(-1), config, click: held('QC1'), random: Math.random })).toEqual({
      deliver: false,
      reason: 'netValue -1 is negative: no umsatz to report',
    });
    expect(qualityclick.plan({ order: order(0), config, click: held('QC1'), random: Math.random })).toEqual({ deliver: true, context: { clickId: 'QC1' } });
  });

  it('a postback delivers with the live id of its parameter', () => {
    const config = { clickIdParam: 'awc', url: 'https://n.example/pb' } as PostbackConfig;
    expect(postback.plan({ order: order(5), config, click: (key) => (key === 'awc' ? 'A1' : undefined), random: Math.random })).toEqual({
      deliver: true,
      context: { clickId: 'A1' },
    });
    expect(postback.plan({ order: order(5), config, click: none, random: Math.random })).toEqual({
      deliver: false,
      reason: 'no live awc click identifier for this visitor',
    });
  });
});

it('a message context error says what it is', () => {
  expect(new MessageContextError('x').name).toBe('MessageContextError');
});
