/**
 * Removes a shopper's personal data from text the service keeps about a vendor call (the request line, the vendor's
 * answer, the error): by value, from the order itself, rather than by guessing what looks like an address. Pure.
 *
 * A value is found however a vendor call may carry it: as given, trimmed, lower-cased (e-mail addresses compare
 * case-insensitively, which also covers lower-case percent escapes), percent-encoded once or twice (a URL parameter,
 * a URL inside a parameter), strictly per RFC 3986, form-encoded, or JSON-escaped. Redaction happens before any truncation, so a cut can never leave a recognisable prefix behind.
 */
import type { Order } from './order';

export const REDACTED = '[redacted]';

/** The personal values of an order that must never be stored in clear: the shopper's IP and e-mail. */
export function personalValues(order: Pick<Order, 'shopper'>): string[] {
  const shopper = order.shopper;
  return [shopper?.ip, shopper?.email].filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

/** Values shorter than this are not redacted as identifiers: they would match ordinary text. */
const MIN_IDENTIFIER_LENGTH = 6;

/**
 * The identifiers in a delivery message's context: click ids (`kelkooId`, `gclid`, Raptor's `coid`, …) and per-sale
 * values. Pseudonymous personal data: the delivery record outlives the click's attribution window, so they are not
 * kept on it either.
 */
export function contextIdentifiers(context: Record<string, unknown>): string[] {
  const found: string[] = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string' && value.trim().length >= MIN_IDENTIFIER_LENGTH) found.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(context);
  return found;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every spelling of `value` a request or an answer may contain. */
export function spellings(value: string): string[] {
  const forms = new Set<string>();
  for (const base of [value, value.trim()]) {
    if (!base) continue;
    const once = encodeURIComponent(base);
    // RFC 3986 strictly also encodes !'()*; HTML forms (URLSearchParams) do too, with + for spaces.
    const strict = once.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const form = new URLSearchParams({ v: base }).toString().slice(2);
    const json = JSON.stringify(base).slice(1, -1);
    for (const spelling of [base, once, strict, form, once.replace(/%20/g, '+'), json]) {
      forms.add(spelling);
      forms.add(encodeURIComponent(spelling));
    }
  }
  // Longest first, so that an encoded form is replaced whole rather than in part.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A function replacing every spelling of every value (case-insensitively) with REDACTED. */
export function redactor(values: readonly string[]): (text: string) => string {
  const patterns = [...new Set(values.flatMap(spellings))].sort((a, b) => b.length - a.length).map(escapeRegExp);
  if (patterns.length === 0) return (text) => text;
  const pattern = new RegExp(patterns.join('|'), 'giu');
  return (text) => text.replace(pattern, REDACTED);
}

/** The first `maxBytes` bytes of `text` in UTF-8, never cutting a character in two. */
export function firstBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
