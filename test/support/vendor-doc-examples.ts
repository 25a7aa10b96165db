/**
 * The example calls of the vendor documents, read from the documents' own text (test/fixtures/vendor-docs/, verbatim
 * copies of the documents each adapter names in `documentation`), for the sandbox tests. Where a document shows a
 * template or a code sample instead of a finished call, the reading that turns it into the call it stands for is
 * written next to it. Apart from the stand-ins for a template's placeholders (a GUID for `[cookieId]`, a click id for
 * `#S1#`), every value of a call comes from the document's text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'node:querystring';
import type { ReceivedRequest } from '../../lambdas/vendors/types';

export type DocumentedVendor = 'kelkoo' | 'klevu' | 'qualityclick' | 'clickmeter' | 'raptor';

export interface DocumentExample {
  vendor: DocumentedVendor;
  /** Where in the document the call is shown. */
  name: string;
  request: ReceivedRequest;
}

const DOCUMENTS: Record<DocumentedVendor, string> = {
  kelkoo: '000_b3431d9b44bbb334.txt',
  klevu: '001_e08966e2d62a55e4.txt',
  qualityclick: '002_db79e9f63b966dbc.txt',
  clickmeter: '003_b472d2941f1430e2.txt',
  raptor: '004_cd37a96655eecff6.txt',
};

export const VENDOR_DOCS_DIR = join(__dirname, '..', 'fixtures', 'vendor-docs');

export function documentText(vendor: DocumentedVendor): string {
  return readFileSync(join(VENDOR_DOCS_DIR, DOCUMENTS[vendor]), 'utf8');
}

/** The file name an adapter's `documentation` (`vendor-docs/<file>`) points at. */
export const documentFile = (vendor: DocumentedVendor): string => DOCUMENTS[vendor];

function match(text: string, pattern: RegExp, what: string): RegExpMatchArray {
  const found = text.match(pattern);
  if (!found) throw new Error(`the document has no ${what} (${pattern})`);
  return found;
}

/** Path and raw query of an absolute URL, as the vendor's server receives it. */
function received(url: string, init: Partial<ReceivedRequest> = {}): ReceivedRequest {
  const at = url.indexOf('/', url.indexOf('://') + 3);
  return { method: 'GET', url: url.slice(at), headers: {}, body: '', ...init };
}

// ---------------------------------------------------------------------------------------------------------------
// Kelkoo Group (000_…)

/** One row of the document's parameter table: name, type, mandatory, description, example. */
export interface KelkooParameterRow {
  name: string;
  type: string;
  mandatory: boolean;
  example: string;
}

/** The parameter table, as the text extraction lays it out: five header lines, then five lines per parameter. */
export function kelkooParameterTable(text = documentText('kelkoo')): KelkooParameterRow[] {
  const start = text.indexOf('\nname\n');
  const end = text.indexOf('Here is an example of decoded');
  if (start < 0 || end < 0) throw new Error('the Kelkoo document has no parameter table');
  const lines = text
    .slice(start, end)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.slice(0, 5).join(' ') !== 'name type mandatory description example') throw new Error(`unexpected table header: ${lines.slice(0, 5).join(' ')}`);
  const rows: KelkooParameterRow[] = [];
  for (let i = 5; i + 4 < lines.length; i += 5) {
    const [name, type, mandatory, , example] = lines.slice(i, i + 5) as [string, string, string, string, string];
    if (mandatory !== 'true' && mandatory !== 'false') throw new Error(`row ${name}: mandatory is "${mandatory}"`);
    // The productsInfos example is its Base64 followed by the JSON it stands for; the call carries the Base64.
    rows.push({ name, type, mandatory: mandatory === 'true', example: example.split(' ')[0]! });
  }
  return rows;
}

/** The static values a Kelkoo code sample calls the web service with, read from the sample's text. */
interface KelkooSample {
  language: string;
  endpoint: string;
  referer: string;
  /** The names of the sample's `data`, in its order. */
  parameters: string[];
  values: { country: string; comId: string; orderId: string; orderValue: string };
  basket: Array<{ productname: string; productid: string; price: string; quantity: string }>;
}

const KELKOO_SAMPLE_HEADINGS = ['PHP (Version 5.5.0 or higher)', 'Java (Version 8)', 'Python (Version 3.x)', 'Node.js (version 20.x)'];

function kelkooSamples(text: string): KelkooSample[] {
  const starts = KELKOO_SAMPLE_HEADINGS.map((heading) => {
    const at = text.indexOf(`\n${heading}\n`);
    if (at < 0) throw new Error(`the Kelkoo document has no "${heading}" sample`);
    return at;
  });
  return KELKOO_SAMPLE_HEADINGS.map((heading, i) => {
    const section = text.slice(starts[i], starts[i + 1] ?? text.length);
    const value = (name: RegExp, what: string) => match(section, name, `${what} in the ${heading} sample`)[1]!;
    const field = (name: string) => [...section.matchAll(new RegExp(`['"]?${name}['"]?\\s*(?:=>|:|,)\\s*['"]?([\\w.]+)`, 'g'))].map((m) => m[1]!);
    const names = field('productname');
    const basket = names.map((productname, n) => ({ productname, productid: field('productid')[n]!, price: field('price')[n]!, quantity: field('quantity')[n]! }));
    // The request's parameters: `$data = array('country' => …)`, `data = {'country': …}`, `data.put("country", …)`, `const data = {country, …}`.
    const dataBlock = value(/(?:Data to be sent in the request\n|const data = \{)([\s\S]*?)(?:\n\s*\n|\};)/, 'the request data');
    const quoted = [...dataBlock.matchAll(/['"](\w+)['"]\s*(?:=>|:|,)/g)].map((m) => m[1]!);
    const parameters = quoted.length ? quoted : [...dataBlock.matchAll(/^\s*(\w+),?$/gm)].map((m) => m[1]!);
    return {
      language: heading.split(' ')[0]!,
      endpoint: value(/['"`](https:\/\/s\.kelkoogroup\.net\/st)['"?]/, 'endpoint'),
      referer: value(/Referer['"]?\s*[:,]\s*['"]?\s*(https?:\/\/[^'"\s)]+)/, 'Referer'),
      parameters,
      values: {
        country: value(/\bcountry\s*=\s*['"](\w+)['"]/, 'country'),
        comId: value(/\bcom_?[iI]d\s*=\s*(\d+)/, 'comId'),
        orderId: value(/\border_?[iI]d\s*=\s*['"]([^'"]+)['"]/, 'orderId'),
        orderValue: value(/\border_?[vV]alue\s*=\s*([\d.]+)/, 'orderValue'),
      },
      basket,
    };
  });
}

/** PHP's urlencode (and http_build_query): everything but letters, digits and `-_.` percent-encoded, space as `+`. */
const phpUrlencode = (value: string) =>
  encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
/** Python's urllib.parse.quote_plus: letters, digits and `_.-~` kept, space as `+`. */
const pythonQuotePlus = (value: string) =>
  encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/**
 * The call each code sample makes, built the way the sample builds it from its static values. What a sample reads at
 * run time is taken from the parameter table's example column: `saleId` (a random number) and the stored click ids
 * (the kelkooId; the sample's gclid and msclkid are then null).
 */
function kelkooSampleCall(sample: KelkooSample, table: KelkooParameterRow[]): ReceivedRequest {
  const example = (name: string) => table.find((row) => row.name === name)!.example;
  const runtime = { saleId: Number(example('saleId')), kelkooId: example('kelkooId'), gclid: null, msclkid: null };
  const basket = sample.basket.map((p) => ({ productname: p.productname, productid: p.productid, price: Number(p.price), quantity: Number(p.quantity) }));
  const base: Record<string, string | number | null> = { ...sample.values, comId: Number(sample.values.comId), orderValue: Number(sample.values.orderValue), ...runtime };
  const headers = { referer: sample.referer };
  const ordered = (values: Record<string, unknown>) => Object.fromEntries(sample.parameters.map((name) => [name, values[name]]));
  switch (sample.language) {
    case 'PHP': {
      // encodeBasket: json_encode, Base64 with `+/` → `-_` and no `=`, urlencode; then http_build_query, which skips nulls.
      const productsInfos = phpUrlencode(Buffer.from(JSON.stringify(basket)).toString('base64url'));
      const data = ordered({ ...base, productsInfos });
      const query = Object.entries(data)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${phpUrlencode(k)}=${phpUrlencode(String(v))}`)
        .join('&');
      return received(`${sample.endpoint}?${query}`, { headers });
    }
    case 'Node.js': {
      // encodeBasket: JSON.stringify, standard Base64 without `=`, encodeURIComponent; then querystring.stringify.
      const productsInfos = encodeURIComponent(Buffer.from(JSON.stringify(basket)).toString('base64').replace(/=+$/, ''));
      return received(`${sample.endpoint}?${stringify(ordered({ ...base, productsInfos }) as Record<string, string>)}`, { headers });
    }
    case 'Python': {
      // encode_basket: json.dumps (", " and ": " separators), then quote_plus – no Base64; then urlencode (None as "None").
      const json = JSON.stringify(basket).replace(/","/g, '", "').replace(/,"/g, ', "').replace(/":/g, '": ');
      const data = ordered({ ...base, productsInfos: pythonQuotePlus(json) });
      const query = Object.entries(data)
        .map(([k, v]) => `${pythonQuotePlus(k)}=${pythonQuotePlus(v === null ? 'None' : String(v))}`)
        .join('&');
      return received(`${sample.endpoint}?${query}`, { headers });
    }
    case 'Java': {
      // Gson of the data map, POSTed as JSON; the basket is one product map, not Base64.
      const [product] = basket;
      const body = JSON.stringify(ordered({ ...base, productsInfos: product }));
      return received(sample.endpoint, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    }
    default:
      throw new Error(`no reading of the ${sample.language} sample`);
  }
}

export function kelkooExamples(text = documentText('kelkoo')): DocumentExample[] {
  const table = kelkooParameterTable(text);
  const call = match(text, /example of a call: (https:\/\/s\.kelkoogroup\.net\/st\?\S+)/, '"example of a call"')[1]!;
  const tableCall = `https://s.kelkoogroup.net/st?${table.map((row) => `${row.name}=${encodeURIComponent(row.example)}`).join('&')}`;
  return [
    { vendor: 'kelkoo', name: 'example of a call', request: received(call) },
    { vendor: 'kelkoo', name: 'parameter table, example column', request: received(tableCall) },
    ...kelkooSamples(text).map((sample) => ({ vendor: 'kelkoo' as const, name: `${sample.language} sample`, request: kelkooSampleCall(sample, table) })),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Klevu (001_…): the text extraction lost every punctuation mark and capital, and writes a line break as `n`.

/**
 * The producttracking parameters under the names the document's table gives, lower-cased and with a space for the
 * lost `_` (`klevu productgroupid`): the table's own spelling of each name is given as `klevu_productGroupId` in SPEC §5.
 */
function klevuGetValue(name: string, words: string[]): string {
  // A number's words are joined by its decimal point (`123 45` → 123.45); every other value's by a hyphen, the form
  // of the compound ids and API keys the document describes (`54321 12345` → 54321-12345, `klevu 1234567890`).
  if (/saleprice$/i.test(name)) return words.join('.');
  if (/currency$/i.test(name)) return words.join('').toUpperCase();
  return words.join('-');
}

function klevuGetCall(segment: string, names: readonly string[]): ReceivedRequest {
  const after = segment.slice(segment.indexOf('producttracking?') + 'producttracking?'.length).trim().split(/\s+/);
  const tokens: string[] = [];
  for (const token of after) {
    if (token === 'n' || !/^[a-z0-9]+$/.test(token)) break;
    tokens.push(token);
  }
  const spoken = new Map(names.map((name) => [name.toLowerCase().replace(/_/g, ' '), name]));
  const nameAt = (i: number) => spoken.get(`${tokens[i]} ${tokens[i + 1]}`);
  const pairs: Array<[string, string[]]> = [];
  for (let i = 0; i < tokens.length; ) {
    const name = nameAt(i);
    if (!name) throw new Error(`unreadable producttracking query at "${tokens.slice(i).join(' ')}"`);
    i += 2;
    const words: string[] = [];
    while (i < tokens.length && !nameAt(i)) words.push(tokens[i++]!);
    pairs.push([name, words]);
  }
  const query = pairs.map(([name, words]) => `${name}=${encodeURIComponent(klevuGetValue(name, words))}`).join('&');
  return received(`https://stats.ksearchnet.com/analytics/producttracking?${query}`);
}

/** The collect body's keys as the text spells them, where each goes, and how its words are joined. */
const KLEVU_BODY_KEYS: Array<{ words: string; key: string; at: 'event' | 'profile' | 'item' | 'open'; join: (w: string[]) => unknown }> = [
  { words: 'order line id', key: 'order_line_id', at: 'item', join: (w) => w.join('-') },
  { words: 'item group id', key: 'item_group_id', at: 'item', join: (w) => w.join('-') },
  { words: 'item variant id', key: 'item_variant_id', at: 'item', join: (w) => w.join('-') },
  { words: 'event apikey', key: 'event_apikey', at: 'event', join: (w) => w.join('-') },
  { words: 'event version', key: 'event_version', at: 'event', join: (w) => w.join('.') },
  { words: 'event data', key: 'event_data', at: 'open', join: () => undefined },
  { words: 'user profile', key: 'user_profile', at: 'open', join: () => undefined },
  { words: 'ip address', key: 'ip_address', at: 'profile', join: (w) => w.join('.') },
  { words: 'order id', key: 'order_id', at: 'item', join: (w) => w.join('-') },
  { words: 'item name', key: 'item_name', at: 'item', join: (w) => w.join(' ') },
  { words: 'item id', key: 'item_id', at: 'item', join: (w) => w.join('-') },
  { words: 'unit price', key: 'unit_price', at: 'item', join: (w) => Number(w.join('.')) },
  { words: 'currency', key: 'currency', at: 'item', join: (w) => w.join('').toUpperCase() },
  { words: 'units', key: 'units', at: 'item', join: (w) => Number(w.join('')) },
  { words: 'items', key: 'items', at: 'open', join: () => undefined },
  { words: 'email', key: 'email', at: 'profile', join: (w) => `${w[0]}@${w.slice(1).join('.')}` },
  { words: 'event', key: 'event', at: 'event', join: (w) => w.join('_') },
];

/**
 * The collect body of one example: its lines (split at the `n` tokens) read as `key words…`, keys placed where the
 * document's field list puts them (a new item at each `order id`), an unknown line right after `item name` read as
 * the rest of the name (the example name has a line break), and the body an array of one event (Klevu README).
 */
function klevuCollectCall(segment: string): ReceivedRequest {
  const tokens = segment.slice(segment.indexOf('event order purchase')).split(/\s+/);
  const lines: string[][] = [[]];
  for (const token of tokens) {
    if (token === 'n') lines.push([]);
    else lines[lines.length - 1]!.push(token);
  }
  const event: Record<string, unknown> = {};
  const items: Array<Record<string, unknown>> = [];
  let profile: Record<string, unknown> | undefined;
  let previous: string | undefined;
  for (const line of lines) {
    if (line.length === 0) {
      previous = undefined;
      continue;
    }
    const text = line.join(' ');
    const key = KLEVU_BODY_KEYS.find((k) => text === k.words || text.startsWith(`${k.words} `));
    if (!key) {
      if (previous === 'item_name' && /^[a-z0-9 ]+$/.test(text)) {
        items[items.length - 1]!['item_name'] += `\n${text}`;
        continue;
      }
      break;
    }
    const value = key.join(line.slice(key.words.split(' ').length));
    if (key.key === 'user_profile') event['user_profile'] = profile = {};
    else if (key.at === 'event') event[key.key] = value;
    else if (key.at === 'profile') profile![key.key] = value;
    else if (key.at === 'item') {
      if (key.key === 'order_id') items.push({});
      items[items.length - 1]![key.key] = value;
    }
    previous = key.key;
  }
  event['event_data'] = { items };
  const headers: Record<string, string> = /content type application json/.test(segment) ? { 'content-type': 'application/json' } : {};
  return received('https://stats.ksearchnet.com/analytics/collect', { method: 'POST', headers, body: JSON.stringify([event]) });
}

/** Every example tab: `… code <the example> language <label> …`, the calls to stats.ksearchnet.com among them. */
export function klevuExamples(producttrackingNames: readonly string[], text = documentText('klevu')): DocumentExample[] {
  const examples: DocumentExample[] = [];
  for (const tab of text.matchAll(/ code (.*?) language (\w+) customlabel/g)) {
    const [, segment, label] = tab as unknown as [string, string, string];
    if (!segment.includes('ksearchnet')) continue;
    if (segment.includes('producttracking?')) examples.push({ vendor: 'klevu', name: `producttracking, ${label} tab`, request: klevuGetCall(segment, producttrackingNames) });
    else if (segment.includes('analytics collect')) examples.push({ vendor: 'klevu', name: `collect, ${label} tab`, request: klevuCollectCall(segment) });
  }
  return examples;
}

// ---------------------------------------------------------------------------------------------------------------
// QUALITYCLICK (002_…): the copy indents every line; a URL written over several lines is one URL.

export function qualityclickExamples(text = documentText('qualityclick')): DocumentExample[] {
  /** The URL under a caption: its first line, then the lines that go on with `?` or `&`. */
  const captioned = (caption: string) => {
    const lines = text.slice(text.indexOf(`${caption}\n`)).split('\n').slice(1).map((line) => line.trim());
    if (!lines[0]?.startsWith('https://')) throw new Error(`no URL under "${caption}"`);
    const rest = lines.slice(1);
    const end = rest.findIndex((line) => !/^[?&]/.test(line));
    return lines[0] + rest.slice(0, end < 0 ? rest.length : end).join('');
  };
  // cURL: backslash-newline continues the quoted URL (the continuation lines read without the copy's indentation).
  const curl = match(text, /curl -s "([^"]*)"/, 'cURL call')[1]!
    .split('\\\n')
    .map((line) => line.trim())
    .join('');
  // PHP: http_build_query($params), the ClickID read from the session being the document's example ClickID.
  const clickId = match(text, /in the format (QC\d+)/, 'ClickID format')[1]!;
  const php = match(text, /\$params = \[([\s\S]*?)\];/, 'PHP $params')[1]!;
  const params = [...php.matchAll(/'(\w+)'\s*=>\s*(.+?),\s*\/\//g)].map(([, name, raw]) => {
    const literal = raw!.match(/^'([^']*)'$/);
    // A PHP float is written without trailing zeros (95.50 → 95.5), as http_build_query sends it.
    const value = literal ? literal[1]! : /^[\d.]+$/.test(raw!) ? String(Number(raw)) : clickId;
    return `${phpUrlencode(name!)}=${phpUrlencode(value)}`;
  });
  const phpBase = match(text, /\$url = '([^']+)'/, 'PHP URL')[1]!;
  return [
    { vendor: 'qualityclick', name: 'Tracking pixel with ClickID', request: received(captioned('Tracking pixel with ClickID')) },
    { vendor: 'qualityclick', name: 'PHP: Server-to-Server call', request: received(`${phpBase}${params.join('&')}`) },
    { vendor: 'qualityclick', name: 'cURL: Server-to-Server call', request: received(curl) },
    { vendor: 'qualityclick', name: 'Pixel with nocheck', request: received(captioned('Pixel with nocheck')) },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// ClickMeter (003_…)

/** The click id a merchant's placeholder (`<insert>` in the clickId slot, `#S1#`) stands for. */
export const CLICKMETER_CLICK_ID = 'cm-click-0001';

/** The postback URLs of the document, with the copy's damage repaired (`http:// ` and `¶m=` for `&param=`). */
export function clickmeterUrls(text = documentText('clickmeter')): string[] {
  return [...text.matchAll(/http:\/\/ conversions\.clickmeter\.com\/s2s\?\S+/g)].map((m) => m[0].replace('http:// ', 'http://').replace(/¶m=/g, '&param='));
}

/**
 * A postback as the merchant's system sends it: placeholders filled – the click id into `clickId`, the document's
 * "Eg.: 20" into `val`, `0` ("If you do not need…") into `com` – and the optional `[&param=...]` left out.
 */
export function clickmeterExamples(text = documentText('clickmeter')): DocumentExample[] {
  const [snippet, result] = clickmeterUrls(text) as [string, string];
  const filled = (url: string) =>
    url
      .replace(/\[&param=\.\.\.\]$/, '')
      .replace('clickId=<insert>', `clickId=${CLICKMETER_CLICK_ID}`)
      .replace('#S1#', CLICKMETER_CLICK_ID)
      .replace('val=<insert>', 'val=20')
      .replace('com=<insert>', 'com=0');
  return [
    { vendor: 'clickmeter', name: 'postback URL snippet, filled in', request: received(filled(snippet)) },
    { vendor: 'clickmeter', name: '"The final result", #S1# filled in', request: received(filled(result)) },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Raptor (004_…)

export const RAPTOR_COOKIE_ID = '0b8e4a6c-3f1d-4c2a-9e7b-5d6f8a9b0c1d';
export const RAPTOR_SESSION_ID = '7f3c2b1a-9d8e-4f6a-b5c4-d3e2f1a0b9c8';

/** What each `[placeholder]` of the document's URLs stands for; a bracketed word not listed stands for itself (`[GetSimilarItems]`). */
const RAPTOR_FILL: Record<string, string> = {
  customerid: '1234',
  cookieId: RAPTOR_COOKIE_ID,
  sessionId: RAPTOR_SESSION_ID,
  base64UserId: encodeURIComponent(Buffer.from('user@shop.example').toString('base64')),
  modulename: 'GetSimilarItems',
};

/** The raw URLs as the document writes them: the format, the click-tracking request and the EXAMPLE. */
export function raptorUrls(text = documentText('raptor')): string[] {
  return [...text.matchAll(/https:\/\/t\.raptorsmartadvisor\.com\/\S+/g)].map((m) => m[0]);
}

/** Each URL with its placeholders filled and the `....` that "has been shortened for readability" taken out. */
export function raptorExamples(text = documentText('raptor')): DocumentExample[] {
  const names = ['URL format', 'Click-Tracking GET request', 'EXAMPLE'];
  return raptorUrls(text).map((url, i) => ({
    vendor: 'raptor' as const,
    name: names[i] ?? url,
    request: received(url.replace(/\.{4}/g, '').replace(/\[(\w+)\]/g, (_, name: string) => RAPTOR_FILL[name] ?? (/^p\d+$/.test(name) ? `v${name.slice(1)}` : name))),
  }));
}
