/**
 * What a delivery record keeps of its attempts: everything while unsettled, the sending attempt alone once sent
 * (without the vendor's answer unless a note explains it), and a request line the console can decode – Kelkoo's
 * productsInfos whole – within its bound.
 */
import { kelkoo } from '../../lambdas/vendors/kelkoo/adapter';
import { vendorAdapters } from '../../lambdas/vendors/registry';
import {
  AttemptTrace,
  DECODED_PARAMETERS,
  KEPT_LINE_BYTES,
  keptRequestLine,
  REQUEST_LINE_BYTES,
  withAttempt,
} from '../../lambdas/sender/history';
import { decodeRequest } from '../../local/console/decode';
import { SPEC_VENDORS } from '../support/config';

const at = new Date('2026-12-01T10:00:00.000Z');
const order = {
  orderId: 'CMD0572084',
  currency: 'EUR',
  orderValue: 609.07,
  netValue: 503.36,
  country: 'fr',
  occurredAt: at.toISOString(),
  items: [
    { productId: 'P140490', name: 'Boite de 1000 lamelles en bois Lamello en 20', unitPrice: 30.5, quantity: 1 },
    { productId: 'P108530', name: 'Serre joints écarteur Quick Grip 300 mm', unitPrice: 18.7, quantity: 2 },
  ],
  shopper: { ip: '203.0.113.7', email: 'jane@shop.example' },
};

function kelkooRequest(orderValue = order) {
  const config = kelkoo.configSchema().parse(SPEC_VENDORS.kelkoo);
  return kelkoo.buildRequests({ order: orderValue, config, context: { saleId: '0.123456', kelkooId: 'kk-0123456789' } } as never)[0]!;
}

const queryOf = (line: string) => Object.fromEntries(new URLSearchParams(line.slice(line.indexOf('?') + 1)));

describe('the kept request line', () => {
  it("keeps Kelkoo's productsInfos whole, so the console decodes the order lines from the history alone", () => {
    const request = kelkooRequest();
    const line = `${request.method} ${request.url}`;
    expect(Buffer.byteLength(line)).toBeGreaterThan(REQUEST_LINE_BYTES);
    const kept = keptRequestLine(line);
    const decoded = decodeRequest(kelkoo, { query: queryOf(kept), body: '' });
    expect(decoded.productsInfos).toEqual({
      lines: [
        { productname: 'Boite de 1000 lamelles en bois Lamello en 20', productid: 'P140490', price: 30.5, quantity: 1 },
        { productname: 'Serre joints écarteur Quick Grip 300 mm', productid: 'P108530', price: 18.7, quantity: 2 },
      ],
    });
  });

  it('cuts the rest of the line at REQUEST_LINE_BYTES, or after a decoded parameter that ends within KEPT_LINE_BYTES', () => {
    const rest = `GET https://vendor.example/c?a=${'x'.repeat(600)}`;
    expect(keptRequestLine(rest)).toBe(rest.slice(0, REQUEST_LINE_BYTES));
    const products = `GET https://vendor.example/c?b=1&productsInfos=${'P'.repeat(400)}`;
    const withProducts = `${products}&a=${'x'.repeat(600)}`;
    expect(keptRequestLine(withProducts)).toBe(products);
    const tooLong = `GET https://vendor.example/c?productsInfos=${'P'.repeat(KEPT_LINE_BYTES)}`;
    expect(keptRequestLine(tooLong)).toBe(tooLong.slice(0, REQUEST_LINE_BYTES));
  });

  it("keeps Kelkoo's line within KEPT_LINE_BYTES whatever the basket, and older attempts' lines at REQUEST_LINE_BYTES", () => {
    const long = kelkooRequest({ ...order, items: Array.from({ length: 8 }, (_, i) => ({ ...order.items[0]!, productId: `P${i}` })) });
    expect(Buffer.byteLength(keptRequestLine(`${long.method} ${long.url}`))).toBeLessThanOrEqual(KEPT_LINE_BYTES);
    const request = kelkooRequest();
    const first = { at: '1', durationMs: 1, outcome: 'retry' as const, request: keptRequestLine(`${request.method} ${request.url}`) };
    expect(Buffer.byteLength(first.request)).toBeGreaterThan(REQUEST_LINE_BYTES);
    const history = withAttempt(withAttempt([], first), { ...first, at: '2' })!;
    expect(history.map((a) => Buffer.byteLength(a.request) > REQUEST_LINE_BYTES)).toEqual([false, true]);
    expect(history[0]!.request).toBe(first.request.slice(0, REQUEST_LINE_BYTES));
  });

  it('asks every adapter that decodes its query for decoded parameters only', () => {
    for (const adapter of Object.values(vendorAdapters)) {
      const asked: string[] = [];
      (adapter.capabilities as { decodeQuery?: (param: (name: string) => string | undefined) => unknown } | undefined)?.decodeQuery?.((name) => {
        asked.push(name);
        return undefined;
      });
      for (const name of asked) expect(DECODED_PARAMETERS).toContain(name);
    }
  });
});

describe('the history of a sent delivery', () => {
  const attempt = (outcome: 'sent' | 'retry', n: number) => ({ at: String(n), durationMs: n, outcome, request: 'GET /', httpStatus: outcome === 'sent' ? 200 : 503 });

  it('is the sending attempt alone; an unsettled one keeps the last five', () => {
    let history = withAttempt([], attempt('retry', 1));
    for (let n = 2; n <= 6; n++) history = withAttempt(history, attempt('retry', n));
    expect(history!.map((a) => a.at)).toEqual(['2', '3', '4', '5', '6']);
    expect(withAttempt(history, attempt('sent', 7))).toEqual([attempt('sent', 7)]);
  });

  it("keeps the vendor's answer only when a note says why it counts as sent", () => {
    const traced = (outcome: Parameters<AttemptTrace['record']>[0]) => {
      const trace = new AttemptTrace(order, () => at, () => 0);
      trace.started(kelkooRequest());
      trace.answered({ status: 200, headers: {}, body: 'accepted, thank you' });
      return trace.record(outcome)!;
    };
    const sent = traced({ kind: 'sent', vendorStatus: 200 });
    expect(sent).toEqual({ at: at.toISOString(), durationMs: 0, outcome: 'sent', httpStatus: 200, request: expect.stringMatching(/^GET https:\/\/s\.kelkoogroup\.net\/st\?/) });
    expect(traced({ kind: 'sent', vendorStatus: 200, note: 'duplicate' })).toMatchObject({ response: 'accepted, thank you', note: 'duplicate' });
    expect(traced({ kind: 'retry', error: 'HTTP 503' })).toMatchObject({ response: 'accepted, thank you' });
  });
});
