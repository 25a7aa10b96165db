/**
 * GET-based wire formats stay under MAX_URL_BYTES: Kelkoo shortens product names (one call per sale, never split),
 * and an order that cannot fit is skipped at conversion time with the reason, for every vendor.
 */
import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { Order } from '../../../lambdas/core/order';
import { kelkoo } from '../../../lambdas/vendors/kelkoo/adapter';
import { fixtures as kelkooFixtures } from '../../../lambdas/vendors/kelkoo/fixtures';
import { decodeProductsInfos } from '../../../lambdas/vendors/kelkoo/mapping';
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { vendorAdapters } from '../../../lambdas/vendors/registry';
import type { VendorFixtures } from '../../../lambdas/vendors/fixture-types';
import type { VendorAdapter } from '../../../lambdas/vendors/types';
import { MAX_URL_BYTES, urlBytes, withinUrlLimit } from '../../../lambdas/vendors/url-limit';
import { VendorSandbox } from '../../../local/sandbox';
import { recordingLogger } from '../../support/aws';
import { buildFromFixture } from '../../support/vendor-fixtures';

const kelkooInput = kelkooFixtures.requests.find((f) => f.id === 'kelkoo-example-call')!.input;

function basket(lines: number, nameLength: number, name = (i: number) => `${i}`.padEnd(nameLength, 'é')): Order {
  return {
    ...kelkooInput.order,
    items: Array.from({ length: lines }, (_, i) => ({
      productId: `P${i}`,
      name: name(i),
      unitPrice: 10 + i / 100,
      quantity: 1 + (i % 3),
      groupId: `P${i}`,
      variantId: `P${i}`,
    })),
  };
}

function planAndBuild(adapter: VendorAdapter<any, any>, input: typeof kelkooInput) {
  const config = adapter.configSchema().parse(input.config);
  const plan = adapter.plan({ order: input.order, config, click: (key) => input.clicks[key], random: () => input.random ?? 0.5 });
  return withinUrlLimit(adapter, input.order, config, plan);
}

describe('Kelkoo: one GET per sale under the URL limit', () => {
  it('shortens the names of a 60-line basket with 200-character names until the call fits, keeping every line intact', () => {
    const order = basket(60, 200);
    const { requests } = buildFromFixture(kelkoo, { ...kelkooInput, order });
    expect(requests).toHaveLength(1);
    const url = requests[0]!.url;
    expect(urlBytes(url)).toBeLessThanOrEqual(MAX_URL_BYTES);
    const products = decodeProductsInfos(new URL(url).searchParams.get('productsInfos')!);
    expect(products.map((p) => [p.productid, p.price, p.quantity])).toEqual(order.items.map((i) => [i.productId, Number(i.unitPrice.toFixed(2)), i.quantity]));
    const lengths = products.map((p) => [...p.productname].length);
    // One common maximum: every name cut to it, each a prefix of the original.
    expect(new Set(lengths).size).toBe(1);
    expect(lengths[0]).toBeGreaterThan(1);
    products.forEach((p, i) => expect(order.items[i]!.name.startsWith(p.productname)).toBe(true));
    // The largest maximum that fits: one character more would not.
    expect(planAndBuild(kelkoo, { ...kelkooInput, order }).deliver).toBe(true);
  });

  it('leaves a basket that fits untouched', () => {
    const order = basket(5, 40);
    const { requests } = buildFromFixture(kelkoo, { ...kelkooInput, order });
    expect(decodeProductsInfos(new URL(requests[0]!.url).searchParams.get('productsInfos')!).map((p) => p.productname)).toEqual(order.items.map((i) => i.name));
  });

  it('skips, at conversion time and with the reason, a basket that cannot fit even with one-character names', () => {
    const plan = planAndBuild(kelkoo, { ...kelkooInput, order: basket(500, 10) });
    expect(plan).toEqual({ deliver: false, reason: expect.stringContaining(`over the ${MAX_URL_BYTES}-byte URL limit`) });
  });
});

const adapters: Array<[string, VendorAdapter<any, any>]> = [...Object.entries(vendorAdapters), ['postback', postback]];

describe.each(adapters)('%s: a planned delivery always fits the URL limit', (id, adapter) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { fixtures } = require(`../../../lambdas/vendors/${id}/fixtures`) as { fixtures: VendorFixtures };
  const base = fixtures.requests.find((f) => 'requests' in f.expected && Object.keys(f.input.clicks).length > 0) ?? fixtures.requests.find((f) => 'requests' in f.expected)!;

  it('for long orders of long multibyte names and ids: either every URL fits, or the delivery is skipped naming the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 512 }), fc.constantFrom('a', 'é', '€', '😀'), (lines, length, char) => {
        const order = { ...base.input.order, items: basket(lines, length, (i) => `${i}`.padEnd(length, char)).items, orderId: char.repeat(128) };
        const plan = planAndBuild(adapter, { ...base.input, order });
        if (!plan.deliver) {
          expect(plan.reason).toContain(`${MAX_URL_BYTES}-byte URL limit`);
          return;
        }
        const config = adapter.configSchema().parse(base.input.config);
        for (const request of adapter.buildRequests({ order, config, context: plan.context })) expect(urlBytes(request.url)).toBeLessThanOrEqual(MAX_URL_BYTES);
      }),
      { numRuns: 25 },
    );
  });
});

describe('the sandbox refuses over-long URLs as a vendor server would', () => {
  let server: Server;
  let base: string;
  const sandbox = new VendorSandbox(recordingLogger().logger);

  beforeAll(async () => {
    server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => void sandbox.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      httpRequest(`${base}${path}`, { method: 'GET', headers: { referer: 'https://www.shop.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on('error', reject)
        .end();
    });

  it('answers 414 above the limit, 200 at it, and records the call with the violation', async () => {
    const prefix = '/sandbox/kelkoo/st?country=fr&orderId=1&pad=';
    expect(await get(prefix + 'x'.repeat(MAX_URL_BYTES - prefix.length))).toBe(200);
    expect(await get(prefix + 'x'.repeat(16 * 1024))).toBe(414);
    const last = sandbox.requests('kelkoo').at(-1)!;
    expect(last.status).toBe(414);
    expect(last.violations.join(' ')).toContain(`${MAX_URL_BYTES}-byte limit`);
  });
});
