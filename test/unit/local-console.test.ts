/**
 * The pure parts of the local console and of `npm start`'s checks: decoding vendor calls, the "try it" sample,
 * the attribution explanation, and reading `java -version`.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Attribution } from '../../lambdas/core/attribution';
import { extractClickIds } from '../../lambdas/core/click-ids';
import { parseConfig } from '../../lambdas/config/schema';
import { catalogueOf, destinationsOf } from '../../lambdas/config/destinations';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import { encodeProductsInfos, toProductInfo } from '../../lambdas/vendors/kelkoo/mapping';
import { encodeRuid } from '../../lambdas/vendors/raptor/mapping';
import { EXAMPLE_CONFIG_PATH } from '../../lambdas/config/load';
import { decodeRequest } from '../../local/console/decode';
import { kelkoo } from '../../lambdas/vendors/kelkoo/adapter';
import { klevu } from '../../lambdas/vendors/klevu/adapter';
import { postback } from '../../lambdas/vendors/postback/adapter';
import { raptor } from '../../lambdas/vendors/raptor/adapter';
import { explainAttribution } from '../../local/console/journal';
import { orderRow, VisitorNode } from '../../local/console/reader';
import { KELKOO_EXAMPLE_BASKET, tryItSample } from '../../local/console/sample';
import { javaMajorVersion } from '../../local/preflight';

const item = fc.record({
  productId: fc.string({ minLength: 1 }),
  name: fc.string(),
  unitPrice: fc.double({ min: 0, max: 1e6, noNaN: true }),
  quantity: fc.integer({ min: 1, max: 1000 }),
});

describe('decoding what a vendor received', () => {
  it('gives back the lines Kelkoo was sent, for any basket', () => {
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), fc.constantFrom('EUR', 'JPY', 'KWD'), (items, currency) => {
        const order = { currency, items: items.map((i) => ({ ...i, groupId: i.productId, variantId: i.productId })) };
        const decoded = decodeRequest(kelkoo, { query: { productsInfos: encodeProductsInfos(order) }, body: '' });
        expect(decoded.productsInfos).toEqual({ lines: order.items.map((i) => toProductInfo(i, currency)) });
      }),
    );
  });

  it('says so when productsInfos is not Base64 of a JSON array', () => {
    expect(decodeRequest(kelkoo, { query: { productsInfos: '%%%' }, body: '' }).productsInfos).toEqual({ error: 'productsInfos is not Base64 of JSON' });
    const object = Buffer.from('{"a":1}').toString('base64url');
    expect(decodeRequest(kelkoo, { query: { productsInfos: object }, body: '' }).productsInfos).toEqual({ error: 'productsInfos is not a JSON array' });
    // Another vendor's parameter of the same name is not Kelkoo's.
    expect(decodeRequest(postback, { query: { productsInfos: object }, body: '' }).productsInfos).toBeUndefined();
  });

  it("gives back Raptor's user id from ruid, and flags a ruid whose + arrived as a space", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (userId) => {
        expect(decodeRequest(raptor, { query: { ruid: encodeRuid(userId) }, body: '' }).ruid).toEqual({ userId });
      }),
    );
    // A ruid sent without percent-encoding its '+' reaches the vendor with a space in its place.
    const withPlus = encodeRuid('??>');
    expect(withPlus).toContain('+');
    expect(decodeRequest(raptor, { query: { ruid: withPlus.replace('+', ' ') }, body: '' }).ruid).toEqual({ error: 'ruid is not standard Base64' });
  });

  it('parses a JSON body (Klevu) and leaves any other body alone', () => {
    expect(decodeRequest(klevu, { query: {}, body: '[{"event":"order_purchase"}]' }).json).toEqual([{ event: 'order_purchase' }]);
    expect(decodeRequest(postback, { query: {}, body: 'a=1&b=2' }).json).toBeUndefined();
  });
});

describe('the "try it" sample', () => {
  const example = JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
  const destinationIds = [...Object.keys(example.vendors), ...Object.keys(example.postbacks)];

  it('reaches every destination of any configuration drawn from the example, with the Kelkoo basket', () => {
    fc.assert(
      fc.property(fc.subarray(destinationIds, { minLength: 1 }), fc.stringMatching(/^[0-9a-f]{6}$/), (enabled, token) => {
        const config = parseConfig({
          ...example,
          vendors: Object.fromEntries(Object.entries(example.vendors).filter(([id]) => enabled.includes(id))),
          postbacks: Object.fromEntries(Object.entries(example.postbacks).filter(([id]) => enabled.includes(id))),
        });
        const destinations = destinationsOf(config);
        const catalogue = catalogueOf(destinations);
        const sample = tryItSample(catalogue, token);
        const capture = sample.capture as { landingUrl: string; identifiers?: Record<string, Record<string, string>> };
        const now = new Date();
        const stored = extractClickIds(capture, catalogue).map((c) => ({ key: c.entry.key, value: c.value, occurredAt: now.toISOString(), expiresAt: now.getTime() / 1000 + 600 }));
        const attribution = Attribution.resolve(stored, [], catalogue, now, now);
        const order = { ...(sample.conversion as any), netValue: 503.36, occurredAt: now.toISOString(), items: KELKOO_EXAMPLE_BASKET.map((i) => ({ ...i, groupId: i.productId, variantId: i.productId })) };
        for (const destination of destinations) {
          const plan = destination.adapter.plan({ order, config: destination.config, click: attribution.forDestination(destination.id), random: () => 0.5 });
          expect({ destination: destination.id, deliver: plan.deliver }).toEqual({ destination: destination.id, deliver: true });
        }
        expect((sample.conversion as { orderId: string }).orderId).toBe(`CMD0572084-${token}`);
      }),
      { numRuns: 30 },
    );
  });
});

describe('the attribution explanation', () => {
  let config: ReturnType<typeof parseConfig>;
  let catalogue: ReturnType<typeof catalogueOf>;
  beforeEach(() => {
    config = parseConfig(JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')));
    catalogue = catalogueOf(destinationsOf(config));
  });
  const message = (destination: string, context: Record<string, unknown>) => [destination, { destination, context } as unknown as DeliveryMessage] as const;
  const user = { kind: 'userId', value: 'u-1' } as const;
  const session = { kind: 'sessionId', value: 's-1' } as const;
  const basket = { kind: 'basketId', value: 'b-1' } as const;
  const click = (key: string, value: string, occurredAt: string) => ({ key, value, occurredAt, expiresAt: 2e9, live: true });
  const nodes: VisitorNode[] = [
    { key: user, clicks: [], links: [] },
    { key: session, via: user, clicks: [click('kk', 'kk-old', '2026-11-20T10:00:00Z'), click('qc_clickid', 'qc-1', '2026-11-21T09:00:00Z')], links: [] },
    { key: basket, via: session, clicks: [click('kk', 'kk-new', '2026-11-21T10:00:00Z')], links: [] },
  ];

  it('names the record each destination was given, the key holding it and the links followed to it', () => {
    const explained = explainAttribution(
      { messages: new Map([message('kelkoo', { saleId: '0.5', kelkooId: 'kk-new' }), message('qualityclick', { clickId: 'qc-1' }), message('klevu', {})]) },
      catalogue,
      nodes,
    );
    expect(explained).toEqual({
      kelkoo: [{ key: 'kk', value: 'kk-new', source: 'stored', occurredAt: '2026-11-21T10:00:00Z', heldBy: basket, path: [user, session, basket] }],
      qualityclick: [{ key: 'qc_clickid', value: 'qc-1', source: 'stored', occurredAt: '2026-11-21T09:00:00Z', heldBy: session, path: [user, session] }],
      // Klevu needs no click id: none is claimed.
      klevu: [],
    });
  });

  it('does not credit a record the message does not carry, and tells an id given with the conversion apart', () => {
    const explained = explainAttribution(
      {
        messages: new Map([message('kelkoo', { saleId: '0.5', kelkooId: 'kk-elsewhere' }), message('raptor', { coid: 'c-9', sid: 's-9' })]),
        identifiers: { raptor: { coid: 'c-9', sid: 's-9' } },
      },
      catalogue,
      nodes,
    );
    expect(explained.kelkoo).toEqual([]);
    expect(explained.raptor).toEqual([
      { key: 'raptor.coid', value: 'c-9', source: 'conversion' },
      { key: 'raptor.sid', value: 's-9', source: 'conversion' },
    ]);
  });
});

describe('an order row', () => {
  it('shows the plan until a sender writes a record, then the record – history kept, internals left out', () => {
    const order = {
      pk: 'ORDER#A',
      sk: 'ORDER',
      orderId: 'A',
      receivedAt: '2026-11-21T10:00:00.000Z',
      plan: [
        { destination: 'kelkoo', status: 'queued' },
        { destination: 'klevu', status: 'skipped', reason: 'no shopper IP' },
        { destination: 'raptor', status: 'queued' },
      ],
    };
    const history = [{ at: '2026-11-21T10:00:01.000Z', outcome: 'retry', httpStatus: 503, durationMs: 12, request: 'GET https://…' }];
    const records = [
      { pk: 'ORDER#A', sk: 'DELIVERY#raptor', destination: 'raptor', status: 'retrying', attempts: 1, lastError: 'HTTP 503', vendorStatus: 503, leaseUntil: 1, completedRequests: new Set(['item-1']), history },
      { pk: 'ORDER#A', sk: 'DELIVERY#awin', destination: 'awin', status: 'sent', attempts: 1, sentAt: '2026-11-21T10:00:02.000Z' },
    ];
    expect(orderRow(order, records)).toEqual({
      orderId: 'A',
      receivedAt: '2026-11-21T10:00:00.000Z',
      deliveries: [
        { vendor: 'kelkoo', status: 'queued', attempts: 0 },
        { vendor: 'klevu', status: 'skipped', attempts: 0, reason: 'no shopper IP' },
        { vendor: 'raptor', status: 'retrying', attempts: 1, lastError: 'HTTP 503', vendorStatus: 503, history },
        // A record outside the plan (a concurrent report that attributed differently) is listed too, as the status route does.
        { vendor: 'awin', status: 'sent', attempts: 1, sentAt: '2026-11-21T10:00:02.000Z' },
      ],
    });
  });
});

describe('java -version', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)', 17],
    ['java version "1.8.0_351"\nJava(TM) SE Runtime Environment (build 1.8.0_351-b10)', 8],
    ['openjdk version "11.0.21" 2023-10-17', 11],
    ['openjdk version "21" 2023-09-19', 21],
    ['openjdk version "25-ea" 2025-09-16', 25],
    ['Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "22.0.1" 2024-04-16', 22],
  ])('reads the major version of %j', (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });

  it('reads nothing from an answer without a version', () => {
    expect(javaMajorVersion('Unrecognized option: -version')).toBeUndefined();
  });
});
