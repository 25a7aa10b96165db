import { klevu } from '../../../lambdas/vendors/klevu/adapter';
import { klevuConfigSchema } from '../../../lambdas/vendors/klevu/config';
import { klevuItemId } from '../../../lambdas/vendors/klevu/mapping';
import { configIssues } from '../../support/config-issues';

const messages = configIssues(klevuConfigSchema, { apiKey: 'klevu-12345' });

describe('Klevu adapter identity', () => {
  it('is registered under its id, shown as Klevu, and names its document', () => {
    expect(klevu.id).toBe('klevu');
    expect(klevu.displayName).toBe('Klevu');
    // shared/vendor-docs/INDEX.md: 001_e08966e2d62a55e4.txt is Klevu's "Analytics Tracking – Purchase Data".
    expect(klevu.documentation).toBe('vendor-docs/001_e08966e2d62a55e4.txt');
  });

  it('names Klevu in the error of a 2xx that reports one', () => {
    const request = { key: 'order_purchase', method: 'POST' as const, url: 'https://stats.ksearchnet.com/analytics/collect', headers: {} };
    expect(klevu.classify({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"error":"invalid apikey"}' }, request)).toEqual({
      kind: 'failed',
      vendorStatus: 200,
      error: 'Klevu answered HTTP 200 reporting an error: {"error":"invalid apikey"}',
    });
  });
});

describe('Klevu configuration messages', () => {
  it.each(['', '   ', '\t\n'])('rejects the API key %j, asking for one', (apiKey) => {
    expect(messages({ apiKey })).toEqual(['apiKey: must be a non-empty Klevu JS API key']);
  });

  it.each(['http://stats.example/analytics/collect', 'https://stats.example/analytics/collect'])('accepts the endpoint %s', (endpoint) => {
    expect(messages({ endpoint })).toEqual([]);
  });

  // The scheme must be exactly http or https: not one that merely starts or ends like it.
  it.each(['xhttps://stats.example/analytics/collect', 'httpsx://stats.example/analytics/collect', 'https-x://stats.example/c', 'ftp://stats.example/c', 'not a url'])(
    'rejects the endpoint %s, saying why',
    (endpoint) => {
      expect(messages({ endpoint })).toEqual(['endpoint: must be an http(s) URL']);
    },
  );
});

describe('Klevu item_id without a parent', () => {
  // "parentid-childid" needs a parent: without a groupId the product id is the full id, never "undefined-<id>".
  it.each([
    [{ productId: 'V1', variantId: 'V1' }, 'V1'],
    [{ productId: 'V1', variantId: 'V1', groupId: undefined }, 'V1'],
    [{ productId: 'P1', groupId: 'G1' }, 'P1'],
    [{ productId: 'P1' }, 'P1'],
  ])('sends %j as %s', (item, expected) => {
    expect(klevuItemId(item)).toBe(expected);
  });
});
