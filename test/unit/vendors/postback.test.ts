import { parseConfig } from '../../../lambdas/config/schema';
import { ConfigurationError } from '../../../lambdas/core/errors';
import { destinationsOf } from '../../../lambdas/config/destinations';
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { postbackCancel } from '../../../lambdas/vendors/postback/cancel';
import { fixtures } from '../../../lambdas/vendors/postback/fixtures';
import { describeVendorFixtures } from '../../support/vendor-fixtures';

describeVendorFixtures(postback, fixtures);

const awin = { clickIdParam: 'awc', url: 'https://example.invalid/sread.php?ref={order.orderId}&cks={clickId}' };

function fieldsOfError(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.details.map((d) => d.field);
    throw error;
  }
  return [];
}

describe('generic postback configuration', () => {
  it('makes each named instance a destination of its own, after the built-in vendors', () => {
    const config = parseConfig({
      vendors: { kelkoo: { country: 'fr', comId: '1', referer: 'https://shop.example' } },
      postbacks: { awin, 'cj-eu': { ...awin, clickIdParam: 'cjevent' } },
    });
    expect(destinationsOf(config).map((d) => [d.id, d.adapter.id])).toEqual([
      ['kelkoo', 'kelkoo'],
      ['awin', 'postback'],
      ['cj-eu', 'postback'],
    ]);
  });

  it.each([
    [{ awin: { ...awin, url: 'https://x.example/?a={order.sku}' } }, 'postbacks.awin.url'],
    [{ awin: { ...awin, url: 'https://x.example/?a={item.productId}' } }, 'postbacks.awin.url'],
    [{ awin: { ...awin, url: 'not a url {clickId}' } }, 'postbacks.awin.url'],
    [{ awin: { ...awin, body: 'a={clickId}' } }, 'postbacks.awin.body'],
    [{ awin: { ...awin, method: 'POST', bodyEncoding: 'json', body: '{"a": {clickId}' } }, 'postbacks.awin.body'],
    [{ kelkoo: awin }, 'postbacks.kelkoo'],
    [{ Bad_Name: awin }, 'postbacks.Bad_Name'],
  ])('rejects a bad instance naming the field (%#)', (postbacks, field) => {
    expect(fieldsOfError({ vendors: {}, postbacks })).toContain(field);
  });
});

describe('{channel} and the cancel template', () => {
  const order = {
    orderId: 'O&1',
    currency: 'EUR',
    orderValue: 12,
    netValue: 10,
    occurredAt: '2026-11-21T10:00:00.000Z',
    items: [
      { productId: 'A', name: 'A', unitPrice: 5, quantity: 2, groupId: 'A', variantId: 'A' },
      { productId: 'B', name: 'B', unitPrice: 2, quantity: 1, groupId: 'B', variantId: 'B' },
    ],
  };
  const configured = (extra: Record<string, unknown>) =>
    parseConfig({
      vendors: {},
      postbacks: { awin: { ...awin, url: `${awin.url}&ch={channel}`, ...extra } },
      attribution: { exclusive: { affiliates: { members: ['awin'] } } },
    }).postbacks.awin!;

  it('fills {channel} URL-encoded into its slot, and empty for a message that carries no decision', () => {
    const config = configured({});
    expect(postback.buildRequests({ order, config, context: { clickId: 'c' }, channel: 'net & co' })[0]!.url).toBe(
      'https://example.invalid/sread.php?ref=O%261&cks=c&ch=net%20%26%20co',
    );
    expect(postback.buildRequests({ order, config, context: { clickId: 'c' } })[0]!.url).toMatch(/&ch=$/);
  });

  it('builds the cancellation call from its own template, with the sale call headers, per item when asked', () => {
    const config = configured({
      headers: { Authorization: 'Bearer t' },
      cancel: { url: 'https://example.invalid/cancel?ref={order.orderId}&sku={item.productId}&ch={channel}', perItem: true },
    });
    const requests = postbackCancel.buildRequests({ order, config, context: { clickId: 'c' }, channel: 'direct' });
    expect(requests.map((r) => [r.key, r.method, r.url, r.headers])).toEqual([
      ['item-1', 'GET', 'https://example.invalid/cancel?ref=O%261&sku=A&ch=direct', { Authorization: 'Bearer t' }],
      ['item-2', 'GET', 'https://example.invalid/cancel?ref=O%261&sku=B&ch=direct', { Authorization: 'Bearer t' }],
    ]);
  });

  it.each([
    [{ cancel: { url: 'https://x.example/c?ref={order.sku}' } }, 'postbacks.awin.cancel.url'],
    [{ cancel: { url: 'https://x.example/c?ref={item.productId}' } }, 'postbacks.awin.cancel.url'],
    [{ cancel: { url: 'https://x.example/c', body: 'a=1' } }, 'postbacks.awin.cancel.body'],
    [{ cancel: { url: 'https://x.example/c', unknown: 1 } }, 'postbacks.awin.cancel'],
    [{ url: 'https://x.example/?ch={channel.id}' }, 'postbacks.awin.url'],
  ])('rejects a bad template naming the field (%#)', (extra, field) => {
    expect(fieldsOfError({ vendors: {}, postbacks: { awin: { ...awin, ...extra } }, attribution: { exclusive: { g: { members: ['awin'] } } } })).toContain(field);
  });

  it('refuses a postback named like another postback’s cancellation destination', () => {
    expect(
      fieldsOfError({ vendors: {}, postbacks: { awin: { ...awin, cancel: { url: 'https://x.example/c' } }, 'awin-cancel': awin } }),
    ).toContain('postbacks.awin-cancel');
  });
});
