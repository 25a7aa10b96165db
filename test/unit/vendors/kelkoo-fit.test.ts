/**
 * fitProductsInfos on its own: a URL at or under MAX_URL_BYTES is left alone; above it, product names are cut to the
 * largest common maximum (in code points) whose URL still fits, and only the productsInfos value changes. The oracle
 * tries every maximum in turn, so the binary search must find exactly the one a linear scan finds.
 */
import type { Order } from '../../../lambdas/core/order';
import { decodeProductsInfos, encodeProductsInfos, fitProductsInfos, productsInfosJson } from '../../../lambdas/vendors/kelkoo/mapping';
import { MAX_URL_BYTES, urlBytes } from '../../../lambdas/vendors/url-limit';

type Basket = Pick<Order, 'items' | 'currency'>;

function basket(names: string[]): Basket {
  return {
    currency: 'EUR',
    items: names.map((name, i) => ({ productId: `P${i}`, name, unitPrice: 10 + i / 100, quantity: 1 + (i % 3), groupId: `P${i}`, variantId: `P${i}` })),
  };
}

// 40 lines of 30 two-byte characters and one single-character name: names of different lengths.
const names = [...Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(30, 'é')), 'X'];
const order = basket(names);
const longest = Math.max(...names.map((n) => [...n].length));
// Encoded in each test, not at load, so that mutation testing judges the encoder per test.
let full: string;
beforeEach(() => {
  full = encodeProductsInfos(order);
});

const url = (value: string, pad: number, prefix = 'https://s.kelkoogroup.net/st?country=fr&orderId=1&productsInfos=') =>
  `${prefix}${value}&saleId=0.5&pad=${'x'.repeat(pad)}`;
/** The padding that makes `url(value, pad)` exactly `bytes` long. */
const padFor = (value: string, bytes: number) => bytes - urlBytes(url(value, 0));

/** The answer by linear scan: the largest maximum below the longest name whose URL fits, else one character. */
function expectedFit(pad: number): string {
  let best = 1;
  for (let n = 1; n < longest; n++) if (urlBytes(url(encodeProductsInfos(order, n), pad)) <= MAX_URL_BYTES) best = n;
  return url(encodeProductsInfos(order, best), pad);
}

describe('Kelkoo fitProductsInfos', () => {
  it('leaves a URL of exactly MAX_URL_BYTES untouched, and shortens one a byte longer', () => {
    const pad = padFor(full, MAX_URL_BYTES);
    expect(urlBytes(url(full, pad))).toBe(MAX_URL_BYTES);
    expect(fitProductsInfos(url(full, pad), order)).toBe(url(full, pad));
    const over = fitProductsInfos(url(full, pad + 1), order);
    expect(over).not.toBe(url(full, pad + 1));
    expect(urlBytes(over)).toBeLessThanOrEqual(MAX_URL_BYTES);
    expect(over).toBe(expectedFit(pad + 1));
  });

  it('keeps a maximum whose URL is exactly MAX_URL_BYTES long, for every maximum', () => {
    for (let n = 1; n < longest; n++) {
      const value = encodeProductsInfos(order, n);
      if (encodeProductsInfos(order, n + 1).length === value.length) continue;
      const pad = padFor(value, MAX_URL_BYTES);
      const fitted = fitProductsInfos(url(full, pad), order);
      expect([n, fitted]).toEqual([n, url(value, pad)]);
      expect(urlBytes(fitted)).toBe(MAX_URL_BYTES);
    }
  });

  it('finds the largest maximum that fits, for every budget from one byte short of each maximum', () => {
    for (let n = 1; n < longest; n++) {
      const pad = padFor(encodeProductsInfos(order, n), MAX_URL_BYTES + 1);
      expect([n, fitProductsInfos(url(full, pad), order)]).toEqual([n, expectedFit(pad)]);
    }
  });

  it('cuts every name to one common maximum, a prefix of the original, and keeps short names and everything else whole', () => {
    const pad = padFor(encodeProductsInfos(order, 17), MAX_URL_BYTES);
    const fitted = fitProductsInfos(url(full, pad), order);
    const products = decodeProductsInfos(new URL(fitted).searchParams.get('productsInfos')!);
    expect(products.map((p) => p.productname)).toEqual(names.map((name) => [...name].slice(0, 17).join('')));
    expect(products.at(-1)!.productname).toBe('X');
    expect(products.map((p) => [p.productid, p.quantity])).toEqual(order.items.map((i) => [i.productId, i.quantity]));
    expect(fitted.slice(fitted.indexOf('&saleId='))).toBe(url(full, pad).slice(url(full, pad).indexOf('&saleId=')));
  });

  it('cuts to one character, leaving the URL over the limit, when even that does not fit', () => {
    const pad = padFor(encodeProductsInfos(order, 1), MAX_URL_BYTES + 1);
    const fitted = fitProductsInfos(url(full, pad), order);
    expect(fitted).toBe(url(encodeProductsInfos(order, 1), pad));
    expect(urlBytes(fitted)).toBe(MAX_URL_BYTES + 1);
  });

  it('shortens a productsInfos that opens the URL', () => {
    const prefix = 'productsInfos=';
    const pad = padFor(encodeProductsInfos(order, 12), MAX_URL_BYTES) + urlBytes(url('', 0)) - urlBytes(url('', 0, prefix));
    expect(urlBytes(url(encodeProductsInfos(order, 12), pad, prefix))).toBe(MAX_URL_BYTES);
    expect(fitProductsInfos(url(full, pad, prefix), order)).toBe(url(encodeProductsInfos(order, 12), pad, prefix));
  });

  it('leaves an over-long URL alone when it does not carry this basket', () => {
    const other = `https://s.kelkoogroup.net/st?country=fr&pad=${'x'.repeat(MAX_URL_BYTES)}`;
    expect(fitProductsInfos(other, order)).toBe(other);
    const stale = url(encodeProductsInfos(basket(['something else'])), MAX_URL_BYTES);
    expect(fitProductsInfos(stale, order)).toBe(stale);
  });

  it('writes names whole when no maximum or a larger one is given', () => {
    const json = JSON.parse(productsInfosJson(order, longest)) as Array<{ productname: string }>;
    expect(json.map((p) => p.productname)).toEqual(names);
    expect(productsInfosJson(order)).toBe(productsInfosJson(order, longest));
    expect((JSON.parse(productsInfosJson(basket(['🙂🙂🙂é']), 2)) as Array<{ productname: string }>)[0]!.productname).toBe('🙂🙂');
  });
});
