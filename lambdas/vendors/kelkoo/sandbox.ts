import { checkQuery, receivedQuery } from '../query';
import type { ReceivedRequest } from '../types';
import { decodeProductsInfos } from './mapping';
import { KELKOO_MANDATORY } from './types';

const DECIMAL = /^\d+(?:\.\d+)?$/;

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** What the Kelkoo document requires of a call to /st, checked on a request as received. */
export function inspectKelkooRequest(request: ReceivedRequest): string[] {
  const violations = request.method === 'GET' ? [] : [`method must be GET, got ${request.method}`];
  violations.push(...checkQuery(request.url, { mandatory: KELKOO_MANDATORY }));
  const query = receivedQuery(request.url);
  const country = query.get('country');
  if (country && !/^[a-z]{2}$/.test(country)) violations.push('country must be a 2-letter lower-case code');
  const comId = query.get('comId');
  if (comId && !/^\d+$/.test(comId)) violations.push('comId must be a Long');
  const orderValue = query.get('orderValue');
  // "The total amount of the order": a plain non-negative decimal (not -5, 0x10, 1e3 or Infinity).
  if (orderValue && !DECIMAL.test(orderValue)) violations.push(`orderValue must be a non-negative decimal number (Double), got "${orderValue}"`);
  if (query.get('orderId') !== null && query.getAll('orderId').length > 1) violations.push('orderId is given more than once');
  const saleId = query.get('saleId');
  if (saleId && !(Number(saleId) >= 0 && Number(saleId) < 1)) violations.push('saleId must be a number between 0 and 1');
  const returningUser = query.get('returningUser');
  if (returningUser !== null && returningUser !== 'true' && returningUser !== 'false') violations.push('returningUser must be "true" or "false"');
  if (!query.get('kelkooId') && !query.get('gclid') && !query.get('msclkid')) violations.push('no kelkooId, gclid or msclkid: the sale cannot be attributed');
  if (query.get('source') !== 'serverToServer') violations.push('source must be serverToServer');
  const referer = request.headers['referer'];
  if (!referer) violations.push('missing Referer header with the shop domain');
  else if (!isHttpUrl(referer)) violations.push(`Referer must be the shop's absolute http(s) URL, got "${referer}"`);
  const productsInfos = query.get('productsInfos');
  if (productsInfos) {
    try {
      const products = decodeProductsInfos(productsInfos);
      if (!Array.isArray(products) || products.length === 0) violations.push('productsInfos must be a non-empty JSON array');
      else
        products.forEach((p, i) => {
          if (typeof p.productname !== 'string' || p.productname === '') violations.push(`productsInfos[${i}].productname must be a non-empty string`);
          if (typeof p.productid !== 'string' || p.productid === '') violations.push(`productsInfos[${i}].productid must be a non-empty string`);
          if (typeof p.price !== 'number' || !(p.price >= 0)) violations.push(`productsInfos[${i}].price must be a non-negative number`);
          if (!Number.isInteger(p.quantity) || p.quantity < 1) violations.push(`productsInfos[${i}].quantity must be a positive integer`);
        });
    } catch {
      violations.push('productsInfos is not Base64 of a JSON array');
    }
  }
  return violations;
}
