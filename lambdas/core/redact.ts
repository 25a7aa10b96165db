/**
 * Removes a shopper's personal data from text the service keeps about a vendor call (the request line, the vendor's
 * answer, the error): by value, from the order itself, rather than by guessing what looks like an address. Pure.
 *
 * A value is found however a vendor call may carry it (`spellings`): as given, trimmed, in any letter case, percent-
 * encoded once or twice (RFC 3986 strict, form-encoded, `+` for spaces), JSON-escaped (also with `\/` and `\uXXXX`),
 * and Base64 or Base64url with or without padding (Raptor's `ruid`) – each encoding also percent-encoded. An IP
 * address is also found in every other spelling of the same address: compressed, zero-padded, upper-case, or an IPv4
 * address as an IPv4-mapped IPv6 one and back (compared as addresses, parsed by ipaddr.js, not as text).
 *
 * A value of MIN_PREFIX_LENGTH characters or more is redacted wherever its start appears – a vendor that echoes a
 * value cut short, or an answer cut before it reached the service, never leaves a recognisable prefix. A shorter value
 * (a short click id) is redacted where it stands as a whole token, so that it does not blank out every number or
 * syllable that happens to contain it. Callers redact before they cut text to size (docs/PRIVACY.md).
 */
import ipaddr from 'ipaddr.js';
import type { Order } from './order';

export const REDACTED = '[redacted]';

/** The personal values of an order that must never be stored in clear: the shopper's IP and e-mail. */
export function personalValues(order: Pick<Order, 'shopper'>): string[] {
  const shopper = order.shopper;
  return [shopper?.ip, shopper?.email].filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

/** Values at least this long (trimmed) are redacted wherever their first MIN_PREFIX_LENGTH characters appear. */
export const MIN_PREFIX_LENGTH = 6;

/**
 * The identifiers in a delivery message's context: click ids (`kelkooId`, `gclid`, Raptor's `coid`, …) and per-sale
 * values, whatever their length. Pseudonymous personal data: the delivery record outlives the click's attribution
 * window, so they are not kept on it either.
 */
export function contextIdentifiers(context: Record<string, unknown>): string[] {
  const found: string[] = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string' && value.trim() !== '') found.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(context);
  return found;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** JSON's escaping as strict encoders write it: every non-ASCII character as `\uXXXX`, and `/` as `\/` (PHP). */
function asciiJson(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

/** The text encodings a value may travel in: in a URL (once, strictly, as a form), in JSON. */
function textEncodings(base: string): string[] {
  const once = encodeURIComponent(base);
  // RFC 3986 strictly also encodes !'()*; HTML forms (URLSearchParams) do too, with + for spaces.
  const strict = once.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const form = new URLSearchParams({ v: base }).toString().slice(2);
  return [base, once, strict, form, once.replace(/%20/g, '+'), JSON.stringify(base).slice(1, -1), asciiJson(base)];
}

/** Base64 (RFC 4648 §4) and Base64url (§5) of the UTF-8 bytes, each with and without padding. */
function base64Forms(base: string): string[] {
  const standard = Buffer.from(base, 'utf8').toString('base64');
  const url = standard.replace(/\+/g, '-').replace(/\//g, '_');
  return [standard, standard.replace(/=+$/, ''), url, url.replace(/=+$/, '')];
}

/** An IP address in `text` (trimmed, IPv6 brackets allowed), or undefined. */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (ipaddr.IPv6.isValid(bare)) {
    const v6 = ipaddr.IPv6.parse(bare);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return undefined;
}

/** All eight groups, each four hex digits. */
function fixedLength(v6: ipaddr.IPv6): string {
  return v6.parts.map((part) => part.toString(16).padStart(4, '0')).join(':');
}

/** The usual spellings of one address: IPv6 compressed, uncompressed and zero-padded; an IPv4 one also as mapped. */
function addressSpellings(address: ipaddr.IPv4 | ipaddr.IPv6): string[] {
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    return [v6.toRFC5952String(), v6.toNormalizedString(), fixedLength(v6)];
  }
  const v4 = address as ipaddr.IPv4;
  const mapped = v4.toIPv4MappedAddress();
  const dotted = v4.toString();
  return [dotted, `::ffff:${dotted}`, `0:0:0:0:0:ffff:${dotted}`, mapped.toRFC5952String(), mapped.toNormalizedString(), fixedLength(mapped)];
}

/** Whether two spellings name the same address (an IPv4-mapped IPv6 address is its IPv4 address). */
function sameAddress(a: ipaddr.IPv4 | ipaddr.IPv6, b: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

/** Every spelling of `value` a request or an answer may contain (see the module comment). Longest first. */
export function spellings(value: string): string[] {
  const trimmed = value.trim();
  if (!trimmed) return [];
  const address = parseAddress(trimmed);
  const bases = new Set([value, trimmed, ...(address ? addressSpellings(address) : [])]);
  const encoded = new Set<string>();
  for (const base of [...bases, ...new Set([value, trimmed, trimmed.toLowerCase()].flatMap(base64Forms))]) {
    for (const spelling of textEncodings(base)) {
      encoded.add(spelling);
      encoded.add(encodeURIComponent(spelling));
    }
  }
  return [...encoded].filter((s) => s !== '').sort((a, b) => b.length - a.length);
}

/** One code unit lower-cased where that keeps it one code unit, so that offsets in the lowered text stay valid. */
function lowered(text: string): string {
  return text.replace(/[A-Z\u00c0-\uffff]/g, (c) => {
    const lower = c.toLowerCase();
    return lower.length === 1 ? lower : c;
  });
}

/** Stands for a redacted stretch while the passes run. */
const REDACTED_PART = Symbol('redacted');

type Range = readonly [start: number, end: number];
/** Finds the ranges of one text to redact. */
type Pass = (text: string, lower: string) => Range[];

/**
 * Every occurrence of a spelling's first MIN_PREFIX_LENGTH characters, extended as far as the text goes on matching
 * that spelling: a whole value, or a value cut short. Occurrences may overlap (`198.5198.51.100.123`): all are found.
 */
function prefixPass(forms: readonly string[]): Pass | undefined {
  const byHead = new Map<string, string[]>();
  for (const form of new Set(forms.map(lowered))) {
    const head = form.slice(0, MIN_PREFIX_LENGTH);
    byHead.set(head, [...(byHead.get(head) ?? []), form]);
  }
  if (byHead.size === 0) return undefined;
  const heads = new RegExp([...byHead.keys()].map(escapeRegExp).join('|'), 'g');
  return (_text, lower) => {
    const ranges: Range[] = [];
    heads.lastIndex = 0;
    for (let match = heads.exec(lower); match; match = heads.exec(lower)) {
      const start = match.index;
      let longest = match[0].length;
      for (const form of byHead.get(match[0]) ?? []) {
        let length = match[0].length;
        while (length < form.length && lower[start + length] === form[length]) length++;
        longest = Math.max(longest, length);
      }
      ranges.push([start, start + longest]);
      heads.lastIndex = start + 1;
    }
    return ranges;
  };
}

/** Every occurrence of a (short) spelling that stands alone: no letter or digit right before or after it. */
function tokenPass(forms: readonly string[]): Pass | undefined {
  const distinct = [...new Set(forms.map(lowered))].sort((a, b) => b.length - a.length);
  if (distinct.length === 0) return undefined;
  const pattern = new RegExp(`(?<![a-z0-9])(?:${distinct.map(escapeRegExp).join('|')})(?![a-z0-9])`, 'g');
  return (_text, lower) => [...lower.matchAll(pattern)].map((m): Range => [m.index, m.index + m[0].length]);
}

/** A run of characters an IPv6 address can be written with, its colons possibly percent-encoded once or twice. */
const ADDRESS_RUN = /(?:[0-9a-f.:]|%3a|%253a)+/g;
/** The longest text form of an IPv6 address (an IPv4-mapped one with its dotted quad). */
const MAX_ADDRESS_LENGTH = 45;

/**
 * Any spelling of the given addresses, compared as addresses: `2001:DB8:0:0::1` is `2001:0db8::0001`. Within each run
 * of address characters holding two colons or more, the longest stretch that parses as one of the addresses is
 * redacted, then the search goes on after it.
 */
function addressPass(addresses: ReadonlyArray<ipaddr.IPv4 | ipaddr.IPv6>): Pass | undefined {
  if (addresses.length === 0) return undefined;
  return (_text, lower) => {
    const ranges: Range[] = [];
    for (const run of lower.matchAll(ADDRESS_RUN)) {
      // The run as characters with their offsets in the text, an encoded colon as one ':'.
      const units: { char: string; start: number; end: number }[] = [];
      for (let at = 0; at < run[0].length; ) {
        const width = run[0].startsWith('%253a', at) ? 5 : run[0].startsWith('%3a', at) ? 3 : 1;
        units.push({ char: width === 1 ? run[0][at]! : ':', start: run.index + at, end: run.index + at + width });
        at += width;
      }
      if (units.filter((u) => u.char === ':').length < 2) continue;
      const chars = units.map((u) => u.char).join('');
      for (let from = 0; from < units.length; from++) {
        for (let to = Math.min(units.length, from + MAX_ADDRESS_LENGTH); to > from + 1; to--) {
          const candidate = parseAddress(chars.slice(from, to));
          if (candidate && addresses.some((address) => sameAddress(address, candidate))) {
            ranges.push([units[from]!.start, units[to - 1]!.end]);
            from = to - 1;
            break;
          }
        }
      }
    }
    return ranges;
  };
}

/** Sorted, overlapping or touching ranges joined. */
function merged(ranges: Range[]): Range[] {
  const out: [number, number][] = [];
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/**
 * A function replacing every spelling of every value (see the module comment) with REDACTED. The passes run one
 * after the other on the text left between earlier redactions, so a marker is never searched again.
 */
export function redactor(values: readonly string[]): (text: string) => string {
  const long: string[] = [];
  const short: string[] = [];
  const addresses: (ipaddr.IPv4 | ipaddr.IPv6)[] = [];
  for (const value of values) {
    const trimmed = value.trim();
    if (!trimmed) continue;
    (trimmed.length >= MIN_PREFIX_LENGTH ? long : short).push(...spellings(value));
    const address = parseAddress(trimmed);
    if (address) addresses.push(address);
  }
  const passes = [addressPass(addresses), prefixPass(long), tokenPass(short)].filter((p): p is Pass => p !== undefined);
  if (passes.length === 0) return (text) => text;
  return (text) => {
    let parts: (string | typeof REDACTED_PART)[] = [text];
    for (const pass of passes) {
      parts = parts.flatMap((part) => {
        if (part === REDACTED_PART || part === '') return [part];
        const ranges = merged(pass(part, lowered(part)));
        if (ranges.length === 0) return [part];
        const pieces: (string | typeof REDACTED_PART)[] = [];
        let at = 0;
        for (const [start, end] of ranges) {
          pieces.push(part.slice(at, start), REDACTED_PART);
          at = end;
        }
        pieces.push(part.slice(at));
        return pieces;
      });
    }
    return parts.map((part) => (part === REDACTED_PART ? REDACTED : part)).join('');
  };
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
