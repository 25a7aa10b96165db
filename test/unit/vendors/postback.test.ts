import { parseConfig } from '../../../lambdas/core/config';
import { ConfigurationError } from '../../../lambdas/core/errors';
import { destinationsOf } from '../../../lambdas/core/destinations';
import { postback } from '../../../lambdas/vendors/postback/adapter';
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
