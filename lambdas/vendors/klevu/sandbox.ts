import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { ReceivedRequest } from '../types';
import { KLEVU_EVENT_VERSION, KLEVU_ORDER_EVENT, KLEVU_REQUIRED_ITEM_STRINGS } from './types';

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

function inspectUserProfile(profile: unknown, at: string): string[] {
  if (!isObject(profile)) return [`${at} must be an object`];
  const violations: string[] = [];
  const ip = profile['ip_address'];
  if (!isNonEmptyString(ip)) violations.push(`${at}.ip_address must be a non-empty string (required server to server)`);
  else if (isIP(ip) === 0) violations.push(`${at}.ip_address must be an IPv4 or IPv6 address, got "${ip}"`);
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

/** What the Klevu document requires of a `POST analytics/collect`, checked on a request as received. */
export function inspectKlevuRequest(request: ReceivedRequest): string[] {
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
