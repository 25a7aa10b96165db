import { createHash } from 'node:crypto';
import { formatMoney } from '../../core/money';
import type { Order, OrderItem } from '../../core/order';
import { MAX_URL_BYTES, urlBytes } from '../url-limit';
import type { KelkooProductInfo } from './types';

/**
 * `saleId`: "a randomly generated number between 0 and 1" (a Double), here drawn from a seed – the account's `comId`
 * and the order id – rather than from the caller's randomness. The same sale always gets the same value, so retries,
 * redrives and a shop's repeated report resend it; the same order number under two accounts (two countries, two
 * merchants) gets two unrelated values. 53 bits of SHA-256, like a double of Math.random(); written as a plain decimal
 * (never `5e-7`).
 */
export function kelkooSaleId(comId: string, orderId: string): string {
  // JSON keeps the two apart: ("12", "3") and ("1", "23") are different seeds.
  const digest = createHash('sha256').update(JSON.stringify(['kelkoo saleId', comId, orderId])).digest();
  const value = Number(digest.readBigUInt64BE(0) >> 11n) / 2 ** 53;
  const text = String(value);
  return text.includes('e') ? value.toFixed(20) : text;
}

export function toProductInfo(item: OrderItem, currency: string): KelkooProductInfo {
  return { productname: item.name, productid: item.productId, price: Number(formatMoney(item.unitPrice, currency)), quantity: item.quantity };
}

/**
 * The JSON array of `productsInfos`, written by hand so that `price` is a JSON number carrying the amount exactly
 * as the money formatter writes it – `30.50`, as in the document's own example, where JSON.stringify would write
 * `30.5` (and `1e-7` for a tiny amount). The document types it "double", so it stays a number, not a string.
 * `maxNameLength` (code points) shortens product names: see fitProductsInfos.
 */
export function productsInfosJson(order: Pick<Order, 'items' | 'currency'>, maxNameLength = Infinity): string {
  const entries = order.items.map((item) => {
    const name = [...item.name].length > maxNameLength ? [...item.name].slice(0, maxNameLength).join('') : item.name;
    const price = formatMoney(item.unitPrice, order.currency);
    return `{"productname":${JSON.stringify(name)},"productid":${JSON.stringify(item.productId)},"price":${price},"quantity":${item.quantity}}`;
  });
  return `[${entries.join(',')}]`;
}

/**
 * `productsInfos`: Base64 of the JSON array, URL-safe alphabet without padding – the document's PHP reference
 * (`rtrim(strtr(base64_encode(...), '+/', '-_'), '=')`). Its characters need no percent-encoding, so the value
 * survives any number of URL-encoding passes on either side unchanged; for the document's example basket it is
 * identical to the standard alphabet.
 */
export function encodeProductsInfos(order: Pick<Order, 'items' | 'currency'>, maxNameLength = Infinity): string {
  return Buffer.from(productsInfosJson(order, maxNameLength), 'utf8').toString('base64url');
}

/** Inverse of encodeProductsInfos; accepts either Base64 alphabet, with or without padding. */
export function decodeProductsInfos(value: string): KelkooProductInfo[] {
  const standard = value.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(Buffer.from(standard, 'base64').toString('utf8')) as KelkooProductInfo[];
}

/**
 * Keeps the one GET per sale under MAX_URL_BYTES by shortening product names in `productsInfos`, and nothing else:
 * every line, id, price and quantity stays, and the call is never split (the document asks for one call per sale).
 * Names longer than a common maximum are cut to it, the largest maximum (in code points) that fits; names are
 * descriptive for Kelkoo's reports, the ids identify the products. When even one-character names do not fit, the
 * URL stays over the limit and the conversion skips Kelkoo for this order (url-limit.ts).
 */
export function fitProductsInfos(url: string, order: Pick<Order, 'items' | 'currency'>): string {
  if (urlBytes(url) <= MAX_URL_BYTES) return url;
  const full = encodeProductsInfos(order);
  const slot = `productsInfos=${full}`;
  const at = url.indexOf(slot);
  if (at < 0) return url;
  // Base64url is ASCII: the rest of the URL costs the same whatever the names.
  const budget = MAX_URL_BYTES - (urlBytes(url) - full.length);
  let low = 1;
  let high = Math.max(...order.items.map((item) => [...item.name].length)) - 1;
  let fitting: string | undefined;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = encodeProductsInfos(order, middle);
    if (candidate.length <= budget) {
      fitting = candidate;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  const value = fitting ?? encodeProductsInfos(order, 1);
  return `${url.slice(0, at)}productsInfos=${value}${url.slice(at + slot.length)}`;
}
