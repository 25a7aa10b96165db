import { checkQuery, receivedQuery } from '../query';
import type { ReceivedRequest } from '../types';
import { KELKOO_MANDATORY } from './types';

/** "Double": a plain non-negative decimal (not -5, 0x10, 1e3 or Infinity). */
const DECIMAL = /^\d+(?:\.\d+)?$/;
/** saleId, a Double drawn at random: PHP and JavaScript write a tiny one with an exponent (4.6566128752458E-10, 1e-7). */
const RANDOM_DOUBLE = /^\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
/** "Long": Java's largest, compared as a BigInt (a Number loses the last digits long before it). */
const MAX_LONG = 9223372036854775807n;
/** Base64 in one of the two alphabets the document's samples use (Node: standard; PHP: URL-safe), padding apart. */
const BASE64_STANDARD = /^[A-Za-z0-9+/]*$/;
const BASE64_URL_SAFE = /^[A-Za-z0-9_-]*$/;
/** Each `"quantity": <number>` of the JSON text, as written: JSON.parse reads `2.0` as 2, which the document forbids. */
const QUANTITY = /"quantity"\s*:\s*(-?[0-9][0-9.eE+-]*)/g;
const POSITIVE_INTEGER = /^[1-9]\d*$/;

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * The text a Base64 value stands for, or undefined when it is not Base64 with nothing after it: one alphabet, `=` only
 * as padding completing the last group, no group of a single character, UTF-8 bytes (as Java's decoders require).
 */
function base64Text(value: string): string | undefined {
  const unpadded = value.replace(/={1,2}$/, '');
  if (!BASE64_STANDARD.test(unpadded) && !BASE64_URL_SAFE.test(unpadded)) return undefined;
  if (unpadded.length % 4 === 1 || (unpadded.length !== value.length && value.length % 4 !== 0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  } catch {
    return undefined;
  }
}

/** "A UrlEncoded Base64 of a Json Array of the products in the basket", each product as the table below it types it. */
function inspectProductsInfos(value: string): string[] {
  // The query is decoded once already. The PHP and Node samples URL-encode the Base64 before building the query,
  // which encodes it again: a value still holding percent-escapes is decoded a second time, as Kelkoo must do.
  let encoded = value;
  if (/%[0-9A-Fa-f]{2}/.test(encoded)) {
    try {
      encoded = decodeURIComponent(encoded);
    } catch {
      // Left as it is: the Base64 check below names the problem.
    }
  }
  const text = base64Text(encoded);
  if (text === undefined) return ['productsInfos is not Base64 (standard or URL-safe alphabet, "=" only as padding at the end)'];
  let products: unknown;
  try {
    products = JSON.parse(text);
  } catch {
    return ['productsInfos is not Base64 of a JSON array'];
  }
  if (!Array.isArray(products) || products.length === 0) return ['productsInfos must be a non-empty JSON array'];
  const quantities = [...text.matchAll(QUANTITY)].map((m) => m[1]!);
  let nextQuantity = 0;
  const violations: string[] = [];
  products.forEach((product: unknown, i) => {
    if (typeof product !== 'object' || product === null || Array.isArray(product)) {
      violations.push(`productsInfos[${i}] must be an object`);
      return;
    }
    const p = product as Record<string, unknown>;
    if (typeof p['productname'] !== 'string' || p['productname'] === '') violations.push(`productsInfos[${i}].productname must be a non-empty string`);
    if (typeof p['productid'] !== 'string' || p['productid'] === '') violations.push(`productsInfos[${i}].productid must be a non-empty string`);
    if (typeof p['price'] !== 'number' || !(p['price'] >= 0)) violations.push(`productsInfos[${i}].price must be a non-negative number`);
    // "integer, floating number is not allowed here": judged on the number as written, so 2.0 and 2e0 are refused.
    const written = typeof p['quantity'] === 'number' ? quantities[nextQuantity++] : JSON.stringify(p['quantity']);
    if (written === undefined || !POSITIVE_INTEGER.test(written)) {
      violations.push(`productsInfos[${i}].quantity must be a positive integer ("floating number is not allowed here"), got ${written ?? p['quantity']}`);
    }
  });
  return violations;
}

/**
 * What the Kelkoo document requires of a call to /st, checked on a request as received. What it only recommends –
 * the Referer header ("for best practice"), `source` and a click id (optional in its table) – is noted as a
 * `warning:`, which the sandbox records without refusing the call.
 */
export function inspectKelkooRequest(request: ReceivedRequest): string[] {
  const violations = request.method === 'GET' ? [] : [`method must be GET, got ${request.method}`];
  violations.push(...checkQuery(request.url, { mandatory: KELKOO_MANDATORY }));
  const query = receivedQuery(request.url);
  const country = query.get('country');
  if (country && !/^[a-z]{2}$/.test(country)) violations.push(`country must be a 2-letter lower-case code, got "${country}"`);
  const comId = query.get('comId');
  if (comId && !(/^\d+$/.test(comId) && BigInt(comId) <= MAX_LONG)) violations.push(`comId must be a Long (digits, at most ${MAX_LONG}), got "${comId}"`);
  const orderValue = query.get('orderValue');
  // "The total amount of the order": a plain non-negative decimal (not -5, 0x10, 1e3 or Infinity).
  if (orderValue && !DECIMAL.test(orderValue)) violations.push(`orderValue must be a non-negative decimal number (Double), got "${orderValue}"`);
  if (query.getAll('orderId').length > 1) violations.push('orderId is given more than once');
  const saleId = query.get('saleId');
  // "A randomly generated number between 0 and 1": the PHP sample's mt_rand() / mt_getrandmax() can draw 0 and 1.
  if (saleId && !(RANDOM_DOUBLE.test(saleId) && Number(saleId) <= 1)) violations.push(`saleId must be a number between 0 and 1, got "${saleId}"`);
  const returningUser = query.get('returningUser');
  if (returningUser !== null && returningUser !== 'true' && returningUser !== 'false') violations.push('returningUser must be "true" or "false"');
  const source = query.get('source');
  if (source && source !== 'serverToServer') violations.push(`source must be serverToServer, got "${source}"`);
  const productsInfos = query.get('productsInfos');
  if (productsInfos) violations.push(...inspectProductsInfos(productsInfos));

  if (!query.get('kelkooId') && !query.get('gclid') && !query.get('msclkid')) {
    violations.push('warning: no kelkooId, gclid or msclkid: each is optional, but without one Kelkoo has no click to attribute the sale to');
  }
  if (!source) violations.push('warning: no source=serverToServer: optional, and the document asks for it ("Set this param value to serverToServer")');
  const referer = request.headers['referer'];
  if (!referer) violations.push('warning: no Referer header: the document asks for "Referer: https://yourwebsite.com" as best practice, so that Kelkoo sees the shop\'s domain');
  else if (!isHttpUrl(referer)) violations.push(`warning: Referer should be the shop's absolute http(s) URL, got "${referer}"`);
  return violations;
}
