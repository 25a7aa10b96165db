/**
 * Generic postback: the rules of its configuration that a merchant meets only with an unusual template (macros in the
 * scheme, a {channel} or item macro in a body or cancel body, a JSON body with a bare macro), the names an instance may
 * take, and what tells a postback and its cancellation destination apart in records and error messages.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../lambdas/config/schema';
import { ConfigurationError } from '../../../lambdas/core/errors';
import type { Order } from '../../../lambdas/core/order';
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { postbackCancel } from '../../../lambdas/vendors/postback/cancel';
import { postbackConfigSchema } from '../../../lambdas/vendors/postback/config';
import { configIssues } from '../../support/config-issues';

const REPO = join(__dirname, '../../..');
const URL_TEMPLATE = 'https://n.example/pb?ref={order.orderId}';

const issues = configIssues(postbackConfigSchema, { clickIdParam: 'awc', url: URL_TEMPLATE });

const order: Order = {
  orderId: 'O-1',
  currency: 'EUR',
  orderValue: 12,
  netValue: 10,
  occurredAt: '2026-11-21T10:00:00.000Z',
  items: [{ productId: 'A', name: 'A', unitPrice: 12, quantity: 1 }],
};

describe('postback URL template: an http(s) URL once its macros are filled', () => {
  it.each([
    // A macro in the scheme fills to a scheme of its own ("httpx", "httpfr"), which is no http(s) scheme.
    'http{clickId}://n.example/pb',
    'http{order.country}://n.example/pb',
    'https{channel}://n.example/pb',
    // A scheme merely ending in http(s).
    'git+https://n.example/pb?c={clickId}',
    'svn+http://n.example/pb?c={clickId}',
    'ftp://n.example/pb?c={clickId}',
  ])('rejects %s as not an http(s) URL', (url) => {
    expect(issues({ url })).toEqual(['url: must be an http(s) URL']);
  });

  it.each(['n.example/pb?c={clickId}', '/pb?c={clickId}', '{clickId}', 'https://n.example:{order.orderId}/pb'])(
    'rejects %s as no absolute URL once filled',
    (url) => {
      expect(issues({ url })).toEqual(['url: must be an absolute http(s) URL once its macros are filled']);
    },
  );

  it.each([
    'http://n.example/pb?c={clickId}',
    'https://n.example/pb?c={clickId}&ch={channel}',
    'HTTPS://n.example/pb?c={clickId}',
    // Macros anywhere after the scheme: a host label or the path are filled like any other slot.
    'https://{order.country}.n.example/pb',
    'https://n.example/{order.orderId}/{clickId}',
  ])('accepts %s', (url) => {
    expect(issues({ url })).toEqual([]);
  });

  it('checks the cancel URL by the same rule', () => {
    expect(issues({ cancel: { url: 'http{clickId}://n.example/c' } })).toEqual(['cancel.url: must be an http(s) URL']);
    expect(issues({ cancel: { url: 'git+https://n.example/c' } })).toEqual(['cancel.url: must be an http(s) URL']);
    expect(issues({ cancel: { url: 'https://n.example/c?c={clickId}&ch={channel}' } })).toEqual([]);
  });
});

describe('postback templates: macros and where they may appear', () => {
  it.each([
    ['url', { url: 'https://n.example/pb?ref={order.orderId}&sku={item.productId}' }],
    ['url', { url: 'https://n.example/pb?sku={item.productId}&ref={order.orderId}&c={clickId}' }],
    ['body', { method: 'POST', body: 'ref={order.orderId}&sku={item.productId}' }],
    ['cancel.url', { cancel: { url: 'https://n.example/c?ref={order.orderId}&sku={item.productId}' } }],
  ])('rejects one {item.*} macro among others without perItem, naming %s', (field, raw) => {
    expect(issues(raw)).toEqual([`${field}: {item.*} macros need "perItem": true`]);
  });

  it('accepts every kind of macro in a sale body and a cancel body, JSON or form', () => {
    const json = '{"ref":"{order.orderId}","c":"{clickId}","sku":"{item.productId}","ch":"{channel}"}';
    const form = 'ref={order.orderId}&c={clickId}&sku={item.productId}&ch={channel}';
    for (const [bodyEncoding, body] of [
      ['json', json],
      ['form', form],
    ] as const) {
      const template = { method: 'POST', bodyEncoding, body, perItem: true };
      expect(issues({ ...template, cancel: { url: 'https://n.example/c', ...template } })).toEqual([]);
    }
  });

  it('names the unknown macro of a cancel body', () => {
    const [issue, ...rest] = issues({ cancel: { url: 'https://n.example/c', method: 'POST', body: 'a={order.sku}' } });
    expect(rest).toEqual([]);
    expect(issue).toMatch(/^cancel\.body: unknown macro \{order\.sku\}; known: .*\{item\.productId\}.*\{clickId\} \{channel\}$/);
  });

  it.each(['[{clickId}]', '{"a": {clickId}}', '{"n": {order.units}}', '[{order.orderId}, "{clickId}"]'])(
    'rejects the JSON body %s whose macro is outside a string',
    (body) => {
      expect(issues({ method: 'POST', bodyEncoding: 'json', body })).toEqual(['body: with bodyEncoding "json" the body must be JSON, macros inside strings']);
    },
  );

  it.each(['["{clickId}"]', '{"{order.orderId}": "{clickId}"}', '[]'])('accepts the JSON body %s', (body) => {
    expect(issues({ method: 'POST', bodyEncoding: 'json', body })).toEqual([]);
  });

  it('names a bad header name with its message', () => {
    expect(issues({ headers: { 'X Token': 't' } })).toEqual(['headers.X Token: must be a header name']);
    expect(issues({ headers: { 'X-Token:': 't' } })).toEqual(['headers.X-Token:: must be a header name']);
  });
});

describe('postback instance names', () => {
  const awin = { clickIdParam: 'awc', url: 'https://n.example/pb?ref={order.orderId}&cks={clickId}' };
  const NAME_MESSAGE = 'postback names are 2–31 lower-case letters, digits or -, starting with a letter';

  function nameErrors(name: string): string[] {
    try {
      parseConfig({ vendors: {}, postbacks: { [name]: awin } });
    } catch (error) {
      if (error instanceof ConfigurationError) return error.details.map((d) => `${d.field}: ${d.message}`);
      throw error;
    }
    return [];
  }

  it.each(['a', 'Awin', '1awin', '-awin', 'awin_eu', 'awin eu', 'awin.eu', `a${'b'.repeat(31)}`, 'awin!'])('rejects %p', (name) => {
    expect(nameErrors(name)).toContainEqual(expect.stringContaining(NAME_MESSAGE));
  });

  it.each(['aw', 'awin', 'cj-eu', 'net2', `a${'b'.repeat(30)}`])('accepts %p', (name) => {
    expect(nameErrors(name)).toEqual([]);
  });
});

describe('postback and its cancellation destination', () => {
  it('point to the postback document, which is in the repository', () => {
    expect(postbackCancel.documentation).toBe(postback.documentation);
    expect(statSync(join(REPO, postback.documentation)).isFile()).toBe(true);
  });

  it('have ids and names of their own, so records and the console tell them apart', () => {
    expect(postback.id).toBe('postback');
    expect(postbackCancel.id).toBe('postback-cancel');
    expect(postback.displayName).toMatch(/postback/i);
    expect(postbackCancel.displayName).toMatch(/cancel/i);
    expect(postbackCancel.displayName).not.toBe(postback.displayName);
  });

  it('a conversion never plans a cancellation call, and says why', () => {
    const config = postbackConfigSchema().parse({ clickIdParam: 'awc', url: URL_TEMPLATE, cancel: { url: 'https://n.example/c' } });
    const plan = postbackCancel.plan({ order, config, click: () => 'CK', random: () => 0 });
    expect(plan).toEqual({ deliver: false, reason: expect.stringContaining('cancellation route') });
    expect(postbackCancel.clickIds(config)).toEqual([]);
  });

  it('refuses to build a cancellation call for a postback without a cancel template', () => {
    const config = postbackConfigSchema().parse({ clickIdParam: 'awc', url: URL_TEMPLATE });
    expect(() => postbackCancel.buildRequests({ order, config, context: { clickId: 'c' } })).toThrow('postback without a cancel template has no cancellation call');
  });

  it('names the generic postback in the error of a 2xx that reports a failure', () => {
    const config = postbackConfigSchema().parse({ clickIdParam: 'awc', url: URL_TEMPLATE });
    const [request] = postback.buildRequests({ order, config, context: { clickId: 'c' } });
    const outcome = postback.classify({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"error","message":"unknown merchant"}' }, request!);
    expect(outcome).toEqual({ kind: 'failed', vendorStatus: 200, error: expect.stringMatching(/^Postback answered HTTP 200 reporting an error: .*unknown merchant/) });
  });
});
