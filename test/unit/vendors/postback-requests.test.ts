import type { Order } from '../../../lambdas/core/order';
import { SECONDS_PER_DAY } from '../../../lambdas/core/time';
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { postbackConfigSchema } from '../../../lambdas/vendors/postback/config';

const order: Order = {
  orderId: 'ORD 1&2',
  currency: 'EUR',
  orderValue: 120,
  netValue: 100,
  occurredAt: '2026-11-21T10:00:00.000Z',
  items: [
    { productId: 'P1', name: 'Lamp & shade', unitPrice: 30, quantity: 2, groupId: 'G1', variantId: 'V1' },
    { productId: 'P2', name: 'Bulb "warm"', unitPrice: 10, quantity: 6, groupId: 'G2', variantId: 'V2' },
    { productId: 'P3', name: 'Hook', unitPrice: 1, quantity: 1, groupId: 'G3', variantId: 'V3' },
  ],
};

const config = (raw: Record<string, unknown>) => postbackConfigSchema().parse({ clickIdParam: 'awc', url: 'https://n.example/pb?ref={order.orderId}', ...raw });
const build = (raw: Record<string, unknown>, clickId = 'CK 1') => postback.buildRequests({ order, config: config(raw), context: { clickId } });

describe('postback click ids and plan', () => {
  it('captures its own click id parameter for its attribution window', () => {
    expect(postback.clickIds(config({}))).toEqual([{ source: { query: 'awc' }, windowSeconds: 30 * SECONDS_PER_DAY }]);
    expect(postback.clickIds(config({ clickIdParam: 'irclickid', attributionDays: 7 }))).toEqual([
      { source: { query: 'irclickid' }, windowSeconds: 7 * SECONDS_PER_DAY },
    ]);
  });

  it('plans a call with the live click id, and skips without one naming the parameter', () => {
    const c = config({ clickIdParam: 'cjevent' });
    expect(postback.plan({ order, config: c, click: (key) => (key === 'cjevent' ? 'E1' : undefined), random: () => 0 })).toEqual({
      deliver: true,
      context: { clickId: 'E1' },
    });
    expect(postback.plan({ order, config: c, click: (key) => (key === 'awc' ? 'E1' : undefined), random: () => 0 })).toEqual({
      deliver: false,
      reason: 'no live cjevent click identifier for this visitor',
    });
    expect(postback.plan({ order, config: c, click: () => '', random: () => 0 }).deliver).toBe(false);
  });

  it('accepts a context with its click id only', () => {
    expect(postback.contextSchema().parse({ clickId: 'x' })).toEqual({ clickId: 'x' });
    expect(postback.contextSchema().safeParse({ clickId: 'x', extra: 1 }).success).toBe(false);
    expect(postback.contextSchema().safeParse({}).success).toBe(false);
  });
});

describe('postback requests', () => {
  it('makes one GET per order by default, with the macros URL-encoded into the URL', () => {
    const requests = build({ url: 'https://n.example/pb?ref={order.orderId}&cks={clickId}&n={order.itemCount}' });
    expect(requests).toEqual([{ key: 'order', method: 'GET', url: 'https://n.example/pb?ref=ORD%201%262&cks=CK%201&n=3', headers: {} }]);
  });

  it('sends the configured static headers on every call, without sharing the config object', () => {
    const c = config({ headers: { Authorization: 'Bearer t' }, perItem: true, url: 'https://n.example/pb?sku={item.productId}' });
    const requests = postback.buildRequests({ order, config: c, context: { clickId: 'c' } });
    expect(requests.map((r) => r.headers)).toEqual([{ Authorization: 'Bearer t' }, { Authorization: 'Bearer t' }, { Authorization: 'Bearer t' }]);
    requests[0]!.headers.extra = 'x';
    expect(c.headers).toEqual({ Authorization: 'Bearer t' });
  });

  it('makes one call per order line when perItem, keyed and numbered by the line from 1', () => {
    const requests = build({ perItem: true, url: 'https://n.example/pb?line={item.lineNumber}&sku={item.productId}&q={item.quantity}' });
    expect(requests.map((r) => [r.key, r.url])).toEqual([
      ['item-1', 'https://n.example/pb?line=1&sku=P1&q=2'],
      ['item-2', 'https://n.example/pb?line=2&sku=P2&q=6'],
      ['item-3', 'https://n.example/pb?line=3&sku=P3&q=1'],
    ]);
  });

  it('sends a form body URL-encoded, with its content type', () => {
    const [request] = build({ method: 'POST', body: 'ref={order.orderId}&name={clickId}&units={order.units}' });
    expect(request).toEqual({
      key: 'order',
      method: 'POST',
      url: 'https://n.example/pb?ref=ORD%201%262',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'ref=ORD%201%262&name=CK%201&units=9',
    });
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({ ref: 'ORD 1&2', name: 'CK 1', units: '9' });
  });

  it('fills a form body per line with that line', () => {
    const requests = build({ method: 'POST', perItem: true, body: 'n={item.lineNumber}&name={item.name}' });
    expect(requests.map((r) => r.body)).toEqual(['n=1&name=Lamp%20%26%20shade', 'n=2&name=Bulb%20%22warm%22', 'n=3&name=Hook']);
  });

  it('sends a JSON body JSON-escaped, with its content type', () => {
    const [request] = build({ method: 'POST', bodyEncoding: 'json', perItem: true, body: '{"name":"{item.name}","ref":"{order.orderId}","line":"{item.lineNumber}"}' });
    expect(request!.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(request!.body!)).toEqual({ name: 'Lamp & shade', ref: 'ORD 1&2', line: '1' });
    const second = build({ method: 'POST', bodyEncoding: 'json', perItem: true, body: '{"name":"{item.name}"}' })[1]!;
    expect(second.body).toBe('{"name":"Bulb \\"warm\\""}');
  });

  it('never puts a body on a GET, whatever config reaches it', () => {
    const unchecked = { ...config({}), body: 'a={clickId}' };
    expect(postback.buildRequests({ order, config: unchecked, context: { clickId: 'c' } })[0]).not.toHaveProperty('body');
  });

  it('sends a POST without a body template as a bare POST', () => {
    const [request] = build({ method: 'POST' });
    expect(request).toEqual({ key: 'order', method: 'POST', url: 'https://n.example/pb?ref=ORD%201%262', headers: {} });
  });

  it('builds requests the sandbox finds nothing wrong with', () => {
    for (const request of build({ method: 'POST', perItem: true, url: 'https://n.example/pb?ref={order.orderId}&l={item.lineNumber}', body: 'a={item.name}' })) {
      const url = new URL(request.url);
      expect(postback.inspect({ method: request.method, url: url.pathname + url.search, headers: {}, body: request.body ?? '' })).toEqual([]);
    }
  });
});

describe('postback sandbox', () => {
  const inspect = (url: string, method = 'GET', body = '') => postback.inspect({ method, url, headers: {}, body });

  it('flags a macro of the template left in the URL, never a value holding braces, which arrives encoded', () => {
    expect(inspect('/pb?ref={order.orderId}')).toContain('a macro was left unfilled in the URL: {order.orderId}');
    expect(inspect('/pb?ref=ORD-%7B2026%7D-7')).toEqual([]);
    expect(inspect('/pb?ref=%7Border.orderId%7D')).toEqual([]);
    expect(inspect('/pb?ref=%7b%7d')).toEqual([]);
    expect(inspect('/pb?ref=%7B')).toEqual([]);
  });

  it('flags a POST without a body only', () => {
    expect(inspect('/pb?a=1', 'POST')).toEqual(['POST without a body']);
    expect(inspect('/pb?a=1', 'POST', 'x=1')).toEqual([]);
    expect(inspect('/pb?a=1', 'GET')).toEqual([]);
  });
});

describe('postback configuration', () => {
  const issues = (raw: Record<string, unknown>) => {
    const result = postbackConfigSchema().safeParse({ clickIdParam: 'awc', url: 'https://n.example/pb?ref={order.orderId}', ...raw });
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('applies the defaults', () => {
    expect(config({})).toEqual({
      clickIdParam: 'awc',
      attributionDays: 30,
      url: 'https://n.example/pb?ref={order.orderId}',
      method: 'GET',
      bodyEncoding: 'form',
      headers: {},
      perItem: false,
    });
  });

  it.each([
    [{ clickIdParam: '1abc' }, 'clickIdParam: must be a query parameter name'],
    [{ clickIdParam: 'a'.repeat(65) }, 'clickIdParam: must be a query parameter name'],
    [{ attributionDays: 0 }, 'attributionDays: '],
    [{ attributionDays: 366 }, 'attributionDays: '],
    [{ url: 'ftp://n.example/{clickId}' }, 'url: must be an http(s) URL'],
    [{ url: '/relative?a={clickId}' }, 'url: must be an absolute http(s) URL once its macros are filled'],
    [{ url: 'https://n.example/?a={item.productId}' }, 'url: {item.*} macros need "perItem": true'],
    [{ method: 'POST', body: 'a={item.name}' }, 'body: {item.*} macros need "perItem": true'],
    [{ body: 'a=1' }, 'body: a body needs "method": "POST"'],
    [{ method: 'POST', bodyEncoding: 'json', body: '{"a": "{clickId}"' }, 'body: with bodyEncoding "json" the body must be JSON, macros inside strings'],
    [{ headers: { 'Bad Header': 'x' } }, 'headers.Bad Header: '],
    [{ headers: { Token: 'x'.repeat(1025) } }, 'headers.Token: '],
    [{ method: 'PUT' }, 'method: '],
  ])('rejects %p', (raw, expected) => {
    expect(issues(raw).some((issue) => issue.startsWith(expected))).toBe(true);
  });

  it.each([
    { clickIdParam: 'a'.repeat(64) },
    { clickIdParam: '_x-1' },
    { attributionDays: 1 },
    { attributionDays: 365 },
    { url: 'http://n.example/pb?a={clickId}' },
    { method: 'POST', bodyEncoding: 'json', body: '{"a": "{clickId}", "n": "{order.units}"}' },
    { method: 'POST', bodyEncoding: 'form', body: '{"a": {clickId}' },
    { method: 'POST', perItem: true, body: 'sku={item.productId}' },
    { perItem: true, url: 'https://n.example/?sku={item.productId}' },
    { headers: { 'X-Token-2': 'x'.repeat(1024) } },
  ])('accepts %p', (raw) => {
    expect(issues(raw)).toEqual([]);
  });
});
