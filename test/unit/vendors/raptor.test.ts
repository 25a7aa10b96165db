import fc from 'fast-check';
import { Attribution } from '../../../lambdas/core/attribution';
import { buildCatalogue, clickIdKey, extractClickIds } from '../../../lambdas/core/click-ids';
import { ConfigurationError } from '../../../lambdas/core/errors';
import type { Order } from '../../../lambdas/core/order';
import { SECONDS_PER_DAY } from '../../../lambdas/core/time';
import { parseConfigInput } from '../../../lambdas/core/validation';
import { raptor } from '../../../lambdas/vendors/raptor/adapter';
import { fixtures } from '../../../lambdas/vendors/raptor/fixtures';
import { decodeRuid, encodeRuid } from '../../../lambdas/vendors/raptor/mapping';
import { buildFromFixture, describeVendorFixtures } from '../../support/vendor-fixtures';

describeVendorFixtures(raptor, fixtures);

const COID = '0c9f5e3a-6d2b-4f7e-9a41-3b8e2d7c5f10';
const SID = '7e4b1d92-2a6f-4c3e-b8d5-91f0a6e2c347';
const specConfig = {
  customerId: '1234',
  endpoint: 'https://t.raptorsmartadvisor.com',
  purchaseParams: { p1: 'buy', p2: '{item.productId}', p3: '{item.unitPrice}', p4: '{item.quantity}', p5: '{order.orderId}', p6: '{order.currency}' },
};

function order(productIds: string[]): Order {
  return {
    orderId: 'O-1',
    currency: 'EUR',
    orderValue: 10 * productIds.length,
    netValue: 10 * productIds.length,
    occurredAt: '2026-11-21T10:05:00.000Z',
    items: productIds.map((productId) => ({ productId, name: productId, unitPrice: 10, quantity: 1, groupId: productId, variantId: productId })),
  };
}

function build(clicks: Record<string, string>, productIds = ['P1']) {
  return buildFromFixture(raptor, { config: specConfig, order: order(productIds), clicks }).requests;
}

/** Violations of the vendor's document for the path and query of an absolute URL. */
function inspectUrl(url: string, method = 'GET'): string[] {
  const parsed = new URL(url);
  return raptor.inspect({ method, url: parsed.pathname + parsed.search, headers: {}, body: '' });
}

function configIssues(raw: unknown) {
  try {
    parseConfigInput(raptor.configSchema(), raw, 'vendors.raptor.');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).details;
  }
  throw new Error('configuration was accepted');
}

describe('Raptor configuration', () => {
  it("accepts SPEC §3's example and defaults the endpoint to Raptor's public host", () => {
    const { endpoint: _endpoint, ...withoutEndpoint } = specConfig;
    expect(raptor.configSchema().parse(withoutEndpoint).endpoint).toBe('https://t.raptorsmartadvisor.com');
  });

  it('rejects an unknown macro in purchaseParams, naming the field and the macro', () => {
    const issues = configIssues({ ...specConfig, purchaseParams: { ...specConfig.purchaseParams, p2: '{item.sku}' } });
    expect(issues).toEqual([expect.objectContaining({ field: 'vendors.raptor.purchaseParams.p2', message: expect.stringContaining('{item.sku}') })]);
  });

  it('rejects {clickId}: a Raptor call has several ids, none of them "the" click id', () => {
    const issues = configIssues({ ...specConfig, purchaseParams: { p1: 'buy', p8: '{clickId}' } });
    expect(issues.map((i) => i.field)).toEqual(['vendors.raptor.purchaseParams.p8']);
  });

  it.each(['p0', 'p1000', 'p01', 'P2', 'q1', 'coid'])('rejects the parameter name %s', (name) => {
    const issues = configIssues({ ...specConfig, purchaseParams: { p1: 'buy', [name]: 'x' } });
    expect(issues).toEqual([expect.objectContaining({ field: `vendors.raptor.purchaseParams.${name}`, message: expect.stringContaining('p1 … p999') })]);
  });

  it('requires at least p1, the event type', () => {
    expect(configIssues({ ...specConfig, purchaseParams: {} }).map((i) => i.field)).toEqual(['vendors.raptor.purchaseParams']);
    expect(configIssues({ ...specConfig, purchaseParams: { p2: '{item.productId}' } })).toEqual([
      expect.objectContaining({ field: 'vendors.raptor.purchaseParams', message: expect.stringContaining('p1') }),
    ]);
  });

  it.each(['12/34', '../1234', '12 34', '1234?x=1', ''])('rejects the customerId %j, which would not stay one path segment', (customerId) => {
    expect(configIssues({ ...specConfig, customerId }).map((i) => i.field)).toEqual(['vendors.raptor.customerId']);
  });

  it('rejects a non-http endpoint or one with a query, and trims a trailing slash', () => {
    expect(configIssues({ ...specConfig, endpoint: 'ftp://t.raptorsmartadvisor.com' }).map((i) => i.field)).toEqual(['vendors.raptor.endpoint']);
    expect(configIssues({ ...specConfig, endpoint: 'https://sandbox.example/?x=1' }).map((i) => i.field)).toEqual(['vendors.raptor.endpoint']);
    expect(raptor.configSchema().parse({ ...specConfig, endpoint: 'https://sandbox.example/raptor//' }).endpoint).toBe('https://sandbox.example/raptor');
  });

  it('rejects unknown keys and a missing customerId', () => {
    expect(configIssues({ ...specConfig, customerid: '1' })).toEqual([expect.objectContaining({ message: expect.stringContaining('customerid') })]);
    const { customerId: _customerId, ...withoutCustomer } = specConfig;
    expect(configIssues(withoutCustomer).map((i) => i.field)).toEqual(['vendors.raptor.customerId']);
  });
});

describe('Raptor ids and their lifetimes', () => {
  const config = () => raptor.configSchema().parse(specConfig);
  const catalogue = () => buildCatalogue([{ id: 'raptor', clickIds: raptor.clickIds(config()) }]);

  it('stores coid, sid and ruid from identifiers.raptor and reaid, xuid from the landing query', () => {
    const windows = Object.fromEntries(raptor.clickIds(config()).map((spec) => [clickIdKey(spec.source), spec.windowSeconds]));
    const year = 365 * SECONDS_PER_DAY;
    expect(windows).toEqual({ 'raptor.coid': year, 'raptor.sid': 20 * 60, 'raptor.ruid': year, reaid: year, xuid: year });
    const found = extractClickIds(
      { landingUrl: 'https://www.shop.example/?reaid=R-1&xuid=X-1', identifiers: { raptor: { coid: COID, sid: SID, ruid: 'a@b.example' } } },
      catalogue(),
    );
    expect(Object.fromEntries(found.map((f) => [f.entry.key, f.value]))).toEqual({
      'raptor.coid': COID,
      'raptor.sid': SID,
      'raptor.ruid': 'a@b.example',
      reaid: 'R-1',
      xuid: 'X-1',
    });
  });

  it('treats a stored sid as live for 20 minutes only, and one given with the conversion as live', () => {
    const at = new Date('2026-11-21T10:05:00Z');
    const stored = (minutesBefore: number) => [
      { key: 'raptor.coid', value: COID, occurredAt: new Date(at.getTime() - 60 * 60_000).toISOString(), expiresAt: 2e9 },
      { key: 'raptor.sid', value: SID, occurredAt: new Date(at.getTime() - minutesBefore * 60_000).toISOString(), expiresAt: 2e9 },
    ];
    const plan = (attribution: Attribution) =>
      raptor.plan({ order: order(['P1']), config: config(), click: attribution.forDestination('raptor'), random: () => 0.5 });

    expect(plan(Attribution.resolve(stored(19), [], catalogue(), at, at)).deliver).toBe(true);
    const stale = plan(Attribution.resolve(stored(21), [], catalogue(), at, at));
    expect(stale).toEqual({ deliver: false, reason: expect.stringContaining('no live raptor.sid') });

    const given = extractClickIds({ identifiers: { raptor: { sid: 'b3c1e0d4-5f6a-4b7c-8d9e-0a1b2c3d4e5f' } } }, catalogue());
    expect(plan(Attribution.resolve(stored(21), given, catalogue(), at, at))).toEqual({
      deliver: true,
      context: { coid: COID, sid: 'b3c1e0d4-5f6a-4b7c-8d9e-0a1b2c3d4e5f' },
    });
  });

  it('names both ids when neither is held', () => {
    const plan = raptor.plan({ order: order(['P1']), config: config(), click: () => undefined, random: () => 0.5 });
    expect(plan).toEqual({ deliver: false, reason: expect.stringContaining('no live raptor.coid and raptor.sid') });
  });
});

describe('Raptor ruid', () => {
  it('is standard Base64 (with + / =) of the UTF-8 user id', () => {
    expect(encodeRuid('Jöns?>?~')).toBe('SsO2bnM/Pj9+');
    expect(encodeRuid('zoë+tracking@shop.example')).toBe('em/Dqyt0cmFja2luZ0BzaG9wLmV4YW1wbGU=');
  });

  it('round-trips any user id through Base64 and through the built URL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }), (userId) => {
        expect(decodeRuid(encodeRuid(userId))).toBe(userId);
        const [request] = build({ 'raptor.coid': COID, 'raptor.sid': SID, 'raptor.ruid': userId });
        const sent = new URL(request!.url).searchParams.get('ruid')!;
        expect(decodeRuid(sent)).toBe(userId);
        expect(inspectUrl(request!.url)).toEqual([]);
      }),
    );
  });

  it('does not take URL-safe, unpadded or non-Base64 text for a ruid', () => {
    for (const value of ['SsO2bnM_Pj9-', 'em/Dqyt0cmFja2luZ0BzaG9wLmV4YW1wbGU', 'a@b.example', 'SsO2bnM/Pj9 ', '']) {
      expect(decodeRuid(value)).toBeUndefined();
    }
  });
});

describe('Raptor xuid exclusivity', () => {
  const sentParams = (clicks: Record<string, string>) => [...new URL(build({ 'raptor.coid': COID, 'raptor.sid': SID, ...clicks })[0]!.url).searchParams.keys()];

  it('drops xuid when ruid is sent', () => {
    expect(sentParams({ 'raptor.ruid': 'a@b.example', xuid: 'X-1' })).toEqual(expect.not.arrayContaining(['xuid']));
    expect(sentParams({ 'raptor.ruid': 'a@b.example', xuid: 'X-1' })).toContain('ruid');
  });

  it('drops xuid when reaid is sent, and keeps ruid and reaid together', () => {
    expect(sentParams({ reaid: 'R-1', xuid: 'X-1' })).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'coid', 'sid', 'reaid']);
    expect(sentParams({ 'raptor.ruid': 'a@b.example', reaid: 'R-1', xuid: 'X-1' }).slice(6)).toEqual(['coid', 'ruid', 'sid', 'reaid']);
  });

  it('sends xuid on its own', () => {
    expect(sentParams({ xuid: 'X-1' }).slice(6)).toEqual(['coid', 'sid', 'xuid']);
  });

  it('is enforced by the sandbox', () => {
    const url = `https://t.raptorsmartadvisor.com/1234.rsa?p1=buy&coid=${COID}&sid=${SID}&ruid=YUBiLmV4YW1wbGU%3D&xuid=X-1`;
    expect(inspectUrl(url)).toEqual(['xuid must not be sent together with reaid or ruid']);
  });
});

describe('Raptor calls per order line', () => {
  const clicks = { 'raptor.coid': COID, 'raptor.sid': SID };

  it('sends one call per line with distinct keys that do not change between builds', () => {
    const first = build(clicks, ['P1', 'P2', 'P1']);
    expect(first.map((r) => r.key)).toEqual(['item-1', 'item-2', 'item-3']);
    expect(first.map((r) => new URL(r.url).searchParams.get('p2'))).toEqual(['P1', 'P2', 'P1']);
    expect(build(clicks, ['P1', 'P2', 'P1'])).toEqual(first);
  });

  it('gives {item.lineNumber} the same 1-based number as the key', () => {
    const requests = buildFromFixture(raptor, {
      config: { ...specConfig, purchaseParams: { p1: 'buy', p7: '{item.lineNumber}/{order.itemCount}' } },
      order: order(['A', 'B']),
      clicks,
    }).requests;
    expect(requests.map((r) => [r.key, new URL(r.url).searchParams.get('p7')])).toEqual([
      ['item-1', '1/2'],
      ['item-2', '2/2'],
    ]);
  });
});

describe('Raptor sandbox checks', () => {
  const good = `/1234.rsa?p1=buy&p2=P1&coid=${COID}&sid=${SID}`;
  const inspect = (url: string, method = 'GET') => raptor.inspect({ method, url, headers: {}, body: '' });

  it('accepts a conforming call, under a prefix too', () => {
    expect(inspect(good)).toEqual([]);
    expect(inspect(`/raptor${good}`)).toEqual([]);
  });

  it('flags a missing p1, coid or sid, a wrong method or path', () => {
    expect(inspect('/1234.rsa?p2=P1')).toEqual(
      expect.arrayContaining(['missing mandatory parameter p1', 'missing mandatory parameter coid', 'missing mandatory parameter sid']),
    );
    expect(inspect(good, 'POST')).toEqual(['method must be GET, got POST']);
    expect(inspect(good.replace('1234.rsa', '1234'))).toEqual(['path must end in /{customerid}.rsa, got /1234']);
  });

  it('warns when coid or sid is not a GUID', () => {
    expect(inspect(`/1234.rsa?p1=buy&coid=cookie-1&sid=${SID}`)).toEqual([expect.stringMatching(/^warning: coid should be a GUID/)]);
  });

  it('flags a ruid that is not Base64, or whose "+" is not encoded', () => {
    expect(inspect(`${good}&ruid=a%40b.example`)).toEqual(['ruid must be the Base64 of the user id']);
    expect(inspect(`${good}&ruid=SsO2bnM/Pj9+`)).toEqual(expect.arrayContaining(['parameter ruid is not URL-encoded', 'ruid must be the Base64 of the user id']));
    expect(inspect(`${good}&ruid=SsO2bnM%2FPj9%2B`)).toEqual([]);
  });

  it('flags parameters given twice or not in the document', () => {
    expect(inspect(`${good}&p2=P2&foo=1`)).toEqual(['parameter p2 is given more than once', 'parameter foo is not in the document']);
  });
});

describe('Raptor response classification', () => {
  const request = { key: 'item-1', method: 'GET' as const, url: 'https://t.raptorsmartadvisor.com/1234.rsa', headers: {} };

  it('fails a 2xx whose body reports an error, quoting it', () => {
    expect(raptor.classify({ status: 200, headers: {}, body: '{"success": false, "message": "unknown customer"}' }, request)).toEqual({
      kind: 'failed',
      vendorStatus: 200,
      error: 'Raptor answered HTTP 200 reporting an error: {"success": false, "message": "unknown customer"}',
    });
  });

  it('accepts a 2xx whose body is an ordinary answer', () => {
    for (const body of ['OK', '{"success": true}', '<html><body>Error pages are not parsed</body></html>', 'Errorless']) {
      const contentType = body.startsWith('<') ? 'text/html' : 'text/plain';
      expect(raptor.classify({ status: 200, headers: { 'content-type': contentType }, body }, request).kind).toBe('sent');
    }
  });

  it("passes a 429's Retry-After on", () => {
    expect(raptor.classify({ status: 429, headers: { 'retry-after': '7' }, body: '' }, request)).toEqual(
      expect.objectContaining({ kind: 'retry', retryAfterSeconds: 7 }),
    );
  });
});
