import { kelkoo } from '../../../lambdas/vendors/kelkoo/adapter';
import { fixtures } from '../../../lambdas/vendors/kelkoo/fixtures';
import { decodeProductsInfos, encodeProductsInfos, kelkooSaleId } from '../../../lambdas/vendors/kelkoo/mapping';
import { describeVendorFixtures, buildFromFixture } from '../../support/vendor-fixtures';

describeVendorFixtures(kelkoo, fixtures);

// The productsInfos of the document's "example of a call", verbatim.
const DOCUMENT_PRODUCTS_INFOS =
  'W3sicHJvZHVjdG5hbWUiOiJCb2l0ZSBkZSAxMDAwIGxhbWVsbGVzIGVuIGJvaXMgTGFtZWxsbyBlbiAyMCIsInByb2R1Y3RpZCI6IlAxNDA0OTAiLCJwcmljZSI6MzAuNTAsInF1YW50aXR5IjoxfSx7InByb2R1Y3RuYW1lIjoiQm9pdGUgZGUgMTAwMCBsYW1lbGxlcyBlbiBib2lzIExhbWVsbG8gZW4gMTAiLCJwcm9kdWN0aWQiOiJQMTQwNDkxIiwicHJpY2UiOjI5LjI1LCJxdWFudGl0eSI6MX0seyJwcm9kdWN0bmFtZSI6IkNvbGxlIHZpbnlsaXF1ZSBSIDY0IHByaXNlIGxlbnRlIHNww6ljaWFsZSBtZW51aXNlcmllIGVuIGJpYmVyb24gZGUgMC43NSBrZ3MiLCJwcm9kdWN0aWQiOiJQMTM3NzI4IiwicHJpY2UiOjEwLjkxLCJxdWFudGl0eSI6MX0seyJwcm9kdWN0bmFtZSI6IlNlcnJlIGpvaW50cyDDqWNhcnRldXIgUXVpY2sgR3JpcCAzMDAgbW0iLCJwcm9kdWN0aWQiOiJQMTA4NTMwIiwicHJpY2UiOjE4LjcwLCJxdWFudGl0eSI6Mn0seyJwcm9kdWN0bmFtZSI6IlNlcnJlIGpvaW50IMOgIHBvbXBlIE9icmEgc2FpbGxpZSAxMjAgbW0gc2VycmFnZSBtYXhpIDEwMDAgbW0iLCJwcm9kdWN0aWQiOiJQMjMwODE0IiwicHJpY2UiOjI1LjI2LCJxdWFudGl0eSI6Mn1d';

describe('Kelkoo productsInfos', () => {
  const example = fixtures.requests.find((f) => f.id === 'kelkoo-example-call')!;

  it("decodes to the same JSON as the document's example call for its 5-item basket", () => {
    const ours = encodeProductsInfos(example.input.order);
    expect(decodeProductsInfos(ours)).toEqual(decodeProductsInfos(DOCUMENT_PRODUCTS_INFOS));
    expect(decodeProductsInfos(ours)).toHaveLength(5);
  });

  it("is byte for byte the document's own value: prices are JSON numbers written as money (30.50, 18.70)", () => {
    expect(encodeProductsInfos(example.input.order)).toBe(DOCUMENT_PRODUCTS_INFOS);
    expect(Buffer.from(DOCUMENT_PRODUCTS_INFOS, 'base64').toString('utf8')).toContain('"price":30.50,');
  });

  it('writes every price at the currency precision as a plain JSON number, never in exponent form', () => {
    const item = (unitPrice: number) => ({ productId: 'p', name: 'n', unitPrice, quantity: 1, groupId: 'p', variantId: 'p' });
    const order = { currency: 'EUR', items: [item(1e-7), item(0.1 + 0.2), item(1.005), item(1e12)] };
    const json = Buffer.from(encodeProductsInfos(order), 'base64url').toString('utf8');
    expect([...json.matchAll(/"price":([^,]+),/g)].map((m) => m[1])).toEqual(['0.00', '0.30', '1.01', '1000000000000.00']);
    expect(decodeProductsInfos(encodeProductsInfos(order)).map((p) => p.price)).toEqual([0, 0.3, 1.01, 1e12]);
    const yen = Buffer.from(encodeProductsInfos({ currency: 'JPY', items: [item(1500.5)] }), 'base64url').toString('utf8');
    expect(yen).toContain('"price":1501,');
  });

  it('uses only URL-safe characters, so URL-encoding leaves it unchanged', () => {
    const order = { currency: 'EUR', items: [{ productId: '?>?', name: '~~~ÿÿÿ>>>', unitPrice: 1, quantity: 1, groupId: 'g', variantId: 'v' }] };
    const value = encodeProductsInfos(order);
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(value)).toBe(value);
    expect(decodeProductsInfos(value)[0]).toEqual({ productname: '~~~ÿÿÿ>>>', productid: '?>?', price: 1, quantity: 1 });
  });

  it('sends the same saleId, seeded by comId and order id, on every build (retries)', () => {
    const first = buildFromFixture(kelkoo, example.input).requests[0]!.url;
    const again = buildFromFixture(kelkoo, { ...example.input, random: 0.9 }).requests[0]!.url;
    expect(new URL(first).searchParams.get('saleId')).toBe(kelkooSaleId('100475501', 'CMD0572084'));
    expect(again).toBe(first);
  });

  it('flags a request that drops mandatory parameters, and notes a missing Referer (best practice) as a warning', () => {
    const violations = kelkoo.inspect({ method: 'GET', url: '/st?country=fr&orderId=1', headers: {}, body: '' });
    expect(violations).toEqual(expect.arrayContaining(['missing mandatory parameter comId', expect.stringMatching(/^warning: no Referer header/)]));
  });

  it.each([
    ['orderValue=-5', (q: URLSearchParams) => q.set('orderValue', '-5'), {}, /orderValue must be a non-negative decimal/],
    ['orderValue=0x10', (q: URLSearchParams) => q.set('orderValue', '0x10'), {}, /orderValue must be a non-negative decimal/],
  ])('rejects %s', (_, change, headers, violation) => {
    const example = fixtures.requests.find((f) => f.id === 'kelkoo-example-call')!;
    const built = new URL(buildFromFixture(kelkoo, example.input).requests[0]!.url);
    const conforming = { method: 'GET', headers: { referer: 'https://www.shop.example' }, body: '' };
    expect(kelkoo.inspect({ ...conforming, url: built.pathname + built.search })).toEqual([]);
    change(built.searchParams);
    expect(kelkoo.inspect({ ...conforming, url: built.pathname + built.search, headers: { ...conforming.headers, ...headers } })).toEqual([
      expect.stringMatching(violation),
    ]);
  });
});

