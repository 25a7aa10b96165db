/**
 * Removes a shopper's personal data from text the service keeps about a vendor call (the request line, the vendor's
 * answer, the error): by value, from the order itself, rather than by guessing what looks like an address. Pure.
 *
 * A value is found however a vendor call may carry it (`spellings`): as given, trimmed, in any letter case, percent-
 * encoded once or twice (RFC 3986 strict, form-encoded, `+` for spaces), JSON-escaped (also with `\/` and `\uXXXX`),
 * and Base64 or Base64url with or without padding (Raptor's `ruid`) – each encoding also percent-encoded. An IP
 * address is also found in every other spelling of the same address: compressed, zero-padded, upper-case, or an IPv4
 * address as an IPv4-mapped IPv6 one and back (compared as addresses – parsed by the WHATWG URL parser built into
 * the runtime – not as text).
 *
 * A value of MIN_PREFIX_LENGTH characters or more is redacted wherever its start appears – a vendor that echoes a
 * value cut short, or an answer cut before it reached the service, never leaves a recognisable prefix. A shorter value
 * (a short click id) is redacted where it stands as a whole token, so that it does not blank out every number or
 * syllable that happens to contain it. Callers redact before they cut text to size (docs/PRIVACY.md).
 */
import { lazy } from './lazy';
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

/** The eight 16-bit groups of an IPv6 address; an IPv4 address is taken as its IPv4-mapped IPv6 form. */
type Groups = readonly number[];

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Built on first use: a `new RegExp` at the top level would be kept in every bundle reaching this module. */
const DOTTED_QUAD = /* @__PURE__ */ lazy(() => new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`));

/** The groups of the IPv4-mapped form of a dotted quad. */
function mapped(dotted: string): Groups {
  const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
  return [0, 0, 0, 0, 0, 0xffff, (a << 8) | b, (c << 8) | d];
}

/**
 * The address `text` names (trimmed, IPv6 in brackets allowed), or undefined. IPv6 goes through the WHATWG URL
 * parser, which accepts every spelling RFC 4291 allows (any padding and case, `::`, a trailing dotted quad) and
 * serialises the address canonically (RFC 5952); an IPv4 address must be plain dotted decimal.
 */
function parseAddress(text: string): Groups | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  if (DOTTED_QUAD().test(bare)) return mapped(bare);
  if (!bare.includes(':') || !/^[0-9a-f:.]+$/i.test(bare)) return undefined;
  let canonical: string;
  try {
    canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [left = '', right] = canonical.split('::');
  const head = left ? left.split(':') : [];
  const tail = right ? right.split(':') : [];
  const middle = right === undefined ? [] : Array<string>(8 - head.length - tail.length).fill('0');
  return [...head, ...middle, ...tail].map((group) => parseInt(group, 16));
}

const hex = (groups: Groups, pad: boolean) => groups.map((g) => g.toString(16).padStart(pad ? 4 : 1, '0')).join(':');
const isMapped = (groups: Groups) => groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
const dottedOf = (groups: Groups) => `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;

/** The usual spellings of one address: compressed (RFC 5952), uncompressed, zero-padded; an IPv4 one also dotted. */
function addressSpellings(groups: Groups): string[] {
  const compressed = new URL(`http://[${hex(groups, false)}]/`).hostname.slice(1, -1);
  const forms = [compressed, hex(groups, false), hex(groups, true)];
  if (!isMapped(groups)) return forms;
  const dotted = dottedOf(groups);
  return [dotted, `::ffff:${dotted}`, `0:0:0:0:0:ffff:${dotted}`, ...forms];
}

/** Every spelling of `value` a request or an answer may contain (see the module comment). Longest first. */
export function spellings(value: string): string[] {
  const trimmed = value.trim();
  if (!trimmed) return [];
  const address = parseAddress(trimmed);
  const bases = new Set([value, trimmed, ...(address ? addressSpellings(address) : [])]);
  const encoded = new Set<string>();
  for (const base of [...bases, ...new Set([...bases, trimmed.toLowerCase()].flatMap(base64Forms))]) {
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

const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-f]$/.test(c);

/**
 * Whether `text` (lower case, colons decoded) is the start of some spelling of the address with these groups: each
 * group in 1–4 hex digits (zero-padded or not), one run of zero groups compressed to `::` or not, the last 32 bits
 * possibly as a dotted quad; an IPv4(-mapped) address also as its plain dotted quad. Whole spellings count too. A parser would accept only whole ones; a vendor's answer may
 * hold a cut one.
 */
function startsSpelling(text: string, groups: Groups): boolean {
  const quad = dottedOf(groups);
  const memo = new Map<string, boolean>();
  const from = (pos: number, group: number, compressed: boolean, separated: boolean): boolean => {
    if (pos === text.length) return true;
    if (group === 8) return false;
    const key = `${pos} ${group} ${compressed} ${separated}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let found = false;
    // `::` standing for one or more zero groups (the first `:` is the separator when a group came before).
    if (!compressed && groups[group] === 0 && text.slice(pos) === ':') found = true;
    if (!found && !compressed && text.startsWith('::', pos) && groups[group] === 0) {
      for (let end = group + 1; !found && end <= 8 && groups[end - 1] === 0; end++) found = from(pos + 2, end, true, true);
    }
    let at = pos;
    if (!found && group > 0 && !separated) {
      if (text[at] !== ':') return memo.set(key, false), false;
      at++;
      if (at === text.length) return memo.set(key, true), true;
    }
    if (!found && group === 6 && quad.startsWith(text.slice(at))) found = true;
    if (!found) {
      const digits = /^[0-9a-f]{1,4}/.exec(text.slice(at))?.[0] ?? '';
      const hex = groups[group]!.toString(16);
      if (digits && at + digits.length === text.length) {
        // A group cut short: its digits so far begin some zero-padding of the group.
        for (let pad = 0; !found && pad + hex.length <= 4; pad++) found = ('0'.repeat(pad) + hex).startsWith(digits);
      } else if (digits && parseInt(digits, 16) === groups[group] && !isHex(text[at + digits.length])) {
        found = from(at + digits.length, group + 1, compressed, false);
      }
    }
    memo.set(key, found);
    return found;
  };
  return (isMapped(groups) && quad.startsWith(text)) || from(0, 0, false, false);
}

/** Whether `text` is a whole spelling of one of the addresses (compared as addresses). */
function isSpellingOf(text: string, addresses: readonly Groups[]): boolean {
  const parsed = parseAddress(text);
  return parsed !== undefined && addresses.some((groups) => groups.every((g, i) => g === parsed[i]));
}

/**
 * Any spelling of the given addresses, compared by the address's groups, not as text: `2001:DB8:0:0::1` is
 * `2001:0db8::0001`, and `::ffff:c633:647b` is `198.51.100.123`. A run of address characters is redacted when it is,
 * as a whole, a spelling of one of them, or the start of one (a cut spelling) of MIN_PREFIX_LENGTH characters or more
 * with a digit other than 0. As a whole: the start of a longer address is another address. The canonical spellings
 * are also in the text pass (prefixPass), which finds them glued to other text.
 */
function addressPass(addresses: readonly Groups[]): Pass | undefined {
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
      const chars = units.map((u) => u.char).join('');
      // The run itself, without separators around it (`ip:198.51.100.123.`), or from its first digit (`bad198.…`).
      const lead = /^[.:]*/.exec(chars)![0].length;
      const trail = /[.:]*$/.exec(chars)![0].length;
      const starts = new Set([0, lead, ...(chars.includes(':') ? [] : [chars.search(/[0-9]/)])].filter((i) => i >= 0));
      let best: Range | undefined;
      for (const from of starts) {
        for (const to of new Set([chars.length, chars.length - trail])) {
          const stretch = chars.slice(from, to);
          if (stretch === '' || (best && best[1] - best[0] >= to - from)) continue;
          // A cut spelling of MIN_PREFIX_LENGTH characters or more; one made of zeros and separators alone (`0:00:00`
          // of a time, `0:0:0:` of a mapped address) says nothing.
          // Its length is counted in the text, as the text pass counts it: `0%3A08%3A` is nine characters, not five.
          const spanned = units[to - 1]!.end - units[from]!.start;
          const cut = spanned >= MIN_PREFIX_LENGTH && /[1-9a-f]/.test(stretch) && addresses.some((groups) => startsSpelling(stretch, groups));
          if (cut || isSpellingOf(stretch, addresses)) best = [from, to];
        }
      }
      if (best) ranges.push([units[best[0]]!.start, units[best[1] - 1]!.end]);
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
  const addresses: Groups[] = [];
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
