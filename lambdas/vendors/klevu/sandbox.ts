import { isIP, isIPv4, isIPv6 } from 'node:net';
import { checkQuery, receivedQuery } from '../query';
import type { ReceivedRequest } from '../types';
import { KLEVU_EVENT_VERSION, KLEVU_ORDER_EVENT, KLEVU_REQUIRED_ITEM_STRINGS } from './types';

/**
 * The per-line `GET analytics/producttracking` ("reporting single order data"): its required parameters in the
 * document's order, spelled as SPEC §5 gives them (the document's text lost case and `_`). The adapter does not use
 * this call (README), but the sandbox judges it as the document does, so that its examples can be held to it.
 */
export const KLEVU_PRODUCTTRACKING_REQUIRED = [
  'klevu_apiKey', 'klevu_type', 'klevu_productId', 'klevu_productGroupId', 'klevu_productVariantId',
  'klevu_unit', 'klevu_salePrice', 'klevu_currency',
] as const;
/** Required "if calling from JavaScript this is an optional parameter", and its optional companions. */
export const KLEVU_PRODUCTTRACKING_OPTIONAL = [
  'klevu_shopperIP', 'klevu_shopperIP_v4', 'klevu_shopperIP_v6', 'data_protection', 'klevu_uuid', 'klevu_country', 'klevu_city',
] as const;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

const USER_PROFILE_OPTIONAL_STRINGS = ['email', 'ip_address_v4', 'ip_address_v6', 'klevu_uuid', 'klevu_city'] as const;

/**
 * The shopper's IP is required "if calling from JavaScript this is an optional parameter": Klevu then reads the
 * caller's address, and cannot tell a server's call from a browser's. A call without it is accepted – with the
 * server's address for the shopper's – so its absence is a warning, not a refusal (the adapter never sends one so).
 */
const IP_FROM_CALLER = "the document requires it except when calling from JavaScript, so Klevu would take the caller's address for the shopper's";
const missingIp = (at: string) => `warning: ${at} is missing: ${IP_FROM_CALLER}`;

function inspectUserProfile(profile: unknown, at: string): string[] {
  if (profile === undefined) return [missingIp(at)];
  if (!isObject(profile)) return [`${at} must be an object`];
  const violations: string[] = [];
  const ip = profile['ip_address'];
  if (ip === undefined || (typeof ip === 'string' && ip.trim() === '')) violations.push(missingIp(`${at}.ip_address`));
  else if (typeof ip !== 'string' || isIP(ip) === 0) violations.push(`${at}.ip_address must be an IPv4 or IPv6 address, got ${JSON.stringify(ip)}`);
  if (typeof profile['ip_address_v4'] === 'string' && !isIPv4(profile['ip_address_v4'])) violations.push(`${at}.ip_address_v4 must be an IPv4 address`);
  if (typeof profile['ip_address_v6'] === 'string' && !isIPv6(profile['ip_address_v6'])) violations.push(`${at}.ip_address_v6 must be an IPv6 address`);
  const email = profile['email'];
  if (typeof email === 'string' && !/^[^\s@]+@[^\s@]+$/.test(email)) violations.push(`${at}.email must be an e-mail address`);
  for (const name of USER_PROFILE_OPTIONAL_STRINGS) {
    if (profile[name] !== undefined && typeof profile[name] !== 'string') violations.push(`${at}.${name} must be a string`);
  }
  const country = profile['klevu_country'];
  if (country !== undefined && !(typeof country === 'string' && /^[A-Za-z]{2}$/.test(country))) {
    violations.push(`${at}.klevu_country must be a 2-letter country code`);
  }
  if (profile['data_protection'] !== undefined && typeof profile['data_protection'] !== 'boolean') {
    violations.push(`${at}.data_protection must be a boolean`);
  }
  return violations;
}

function inspectItem(item: unknown, at: string): string[] {
  if (!isObject(item)) return [`${at} must be an object`];
  const violations: string[] = [];
  for (const name of KLEVU_REQUIRED_ITEM_STRINGS) {
    if (!isNonEmptyString(item[name])) violations.push(`${at}.${name} must be a non-empty string`);
  }
  const currency = item['currency'];
  if (isNonEmptyString(currency) && !/^[A-Za-z]{3}$/.test(currency)) violations.push(`${at}.currency must be a 3-letter currency code`);
  const unitPrice = item['unit_price'];
  if (typeof unitPrice !== 'number' || !Number.isFinite(unitPrice)) violations.push(`${at}.unit_price must be a number`);
  else if (unitPrice < 0) violations.push(`${at}.unit_price must not be negative, got ${unitPrice}`);
  // Optional in the document (Klevu then counts 1 unit), but an integer whenever present.
  const units = item['units'];
  if (units !== undefined && !(Number.isInteger(units) && (units as number) > 0)) violations.push(`${at}.units must be a positive integer`);
  for (const name of ['order_id', 'order_line_id'] as const) {
    if (item[name] !== undefined && typeof item[name] !== 'string') violations.push(`${at}.${name} must be a string`);
  }
  return violations;
}

function inspectEvent(event: unknown, at: string): string[] {
  if (!isObject(event)) return [`${at} must be an object`];
  const violations: string[] = [];
  if (event['event'] !== KLEVU_ORDER_EVENT) violations.push(`${at}.event must be "${KLEVU_ORDER_EVENT}"`);
  if (!isNonEmptyString(event['event_apikey'])) violations.push(`${at}.event_apikey must be a non-empty string`);
  if (event['event_version'] !== KLEVU_EVENT_VERSION) violations.push(`${at}.event_version must be "${KLEVU_EVENT_VERSION}"`);
  const timestamp = event['event_timestamp_ms'];
  if (timestamp !== undefined && !(Number.isInteger(timestamp) && (timestamp as number) > 0)) {
    violations.push(`${at}.event_timestamp_ms must be a number of milliseconds`);
  }
  violations.push(...inspectUserProfile(event['user_profile'], `${at}.user_profile`));
  const data = event['event_data'];
  const items = isObject(data) ? data['items'] : undefined;
  if (!Array.isArray(items) || items.length === 0) {
    violations.push(`${at}.event_data.items must be a non-empty array`);
  } else {
    items.forEach((item, i) => violations.push(...inspectItem(item, `${at}.event_data.items[${i}]`)));
  }
  return violations;
}

/** A plain non-negative decimal: "product's sale price for one unit; you can supply decimal values". */
const DECIMAL = /^\d+(?:\.\d+)?$/;

/** What the Klevu document requires of a `GET analytics/producttracking` (one order line), checked as received. */
function inspectProducttracking(request: ReceivedRequest): string[] {
  const violations = request.method === 'GET' ? [] : [`method must be GET, got ${request.method}`];
  violations.push(...checkQuery(request.url, { mandatory: KLEVU_PRODUCTTRACKING_REQUIRED }));
  const query = receivedQuery(request.url);
  const value = (name: string) => query.get(name) || undefined;
  const check = (name: string, valid: (v: string) => boolean, rule: string) => {
    const v = value(name);
    if (v !== undefined && !valid(v)) violations.push(`${name} must be ${rule}, got "${v}"`);
  };
  check('klevu_type', (v) => v === 'checkout', '"checkout"');
  check('klevu_unit', (v) => /^[1-9]\d*$/.test(v), 'a positive integer');
  check('klevu_salePrice', (v) => DECIMAL.test(v), 'a non-negative decimal number');
  check('klevu_currency', (v) => /^[A-Za-z]{3}$/.test(v), 'a 3-letter currency code');
  check('klevu_shopperIP', (v) => isIP(v) !== 0, 'an IPv4 or IPv6 address');
  check('klevu_shopperIP_v4', isIPv4, 'an IPv4 address');
  check('klevu_shopperIP_v6', isIPv6, 'an IPv6 address');
  check('data_protection', (v) => v === 'true' || v === 'false', '"true" or "false"');
  check('klevu_country', (v) => /^[A-Za-z]{2}$/.test(v), 'a 2-letter country code');
  for (const name of [...KLEVU_PRODUCTTRACKING_REQUIRED, ...KLEVU_PRODUCTTRACKING_OPTIONAL]) {
    if (query.getAll(name).length > 1) violations.push(`parameter ${name} is given more than once`);
  }
  if (!value('klevu_shopperIP')) violations.push(`warning: no klevu_shopperIP: ${IP_FROM_CALLER}`);
  return violations;
}

/**
 * What the Klevu document requires of a call, checked on a request as received: a call to a path ending in
 * `/producttracking` is judged as the per-line GET, any other as the `POST analytics/collect` the adapter sends.
 */
export function inspectKlevuRequest(request: ReceivedRequest): string[] {
  if (/\/producttracking$/.test(request.url.split('?')[0]!)) return inspectProducttracking(request);
  const violations = request.method === 'POST' ? [] : [`method must be POST, got ${request.method}`];
  const contentType = header(request.headers, 'content-type');
  if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType.trim())) {
    violations.push(`Content-Type must be application/json, got ${contentType ?? 'none'}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    violations.push('body is not JSON');
    return violations;
  }
  if (!Array.isArray(body) || body.length === 0) {
    violations.push('body must be a non-empty JSON array of events');
    return violations;
  }
  body.forEach((event, i) => violations.push(...inspectEvent(event, `body[${i}]`)));
  return violations;
}
