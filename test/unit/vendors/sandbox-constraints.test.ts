/**
 * Every constraint a vendor document states has a call that breaks it and the sandbox's answer to it: a table per
 * vendor of constraint (the document's words) → violating call → expected violation. Each violating call is one
 * change to a call that conforms (a document example), so a row fails only for its own reason. Advice the document
 * gives without requiring it ("best practice", optional parameters) is a table of its own: those calls get a
 * `warning:` note, which the strict sandbox records without refusing the call.
 */
import { clickmeter } from '../../../lambdas/vendors/clickmeter/adapter';
import { kelkoo } from '../../../lambdas/vendors/kelkoo/adapter';
import { klevu } from '../../../lambdas/vendors/klevu/adapter';
import { KLEVU_PRODUCTTRACKING_OPTIONAL, KLEVU_PRODUCTTRACKING_REQUIRED } from '../../../lambdas/vendors/klevu/sandbox';
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { qualityclick } from '../../../lambdas/vendors/qualityclick/adapter';
import { raptor } from '../../../lambdas/vendors/raptor/adapter';
import type { ReceivedRequest, VendorAdapter } from '../../../lambdas/vendors/types';
import {
  clickmeterExamples,
  clickmeterUrls,
  DocumentExample,
  kelkooExamples,
  kelkooParameterTable,
  klevuExamples,
  qualityclickExamples,
  raptorExamples,
} from '../../support/vendor-doc-examples';

type Change = (request: ReceivedRequest) => ReceivedRequest;
/** [constraint in the document's words, the change that breaks it, the violation the sandbox reports]. */
type Row = [string, Change, string | RegExp];

const example = (examples: DocumentExample[], name: string) => {
  const found = examples.find((e) => e.name === name);
  if (!found) throw new Error(`no example "${name}"`);
  return found.request;
};

/** Sets (raw, as it goes on the wire), or with `undefined` removes, one query parameter; appends it when absent. */
function param(name: string, raw: string | undefined): Change {
  return (request) => {
    const [path, query = ''] = request.url.split('?') as [string, string?];
    const pairs = query.split('&').filter(Boolean);
    const at = pairs.findIndex((pair) => pair.split('=')[0] === name);
    if (raw === undefined) pairs.splice(at, at < 0 ? 0 : 1);
    else if (at < 0) pairs.push(`${name}=${raw}`);
    else pairs[at] = `${name}=${raw}`;
    return { ...request, url: pairs.length ? `${path}?${pairs.join('&')}` : path };
  };
}
const also = (name: string, raw: string): Change => (request) => ({ ...request, url: `${request.url}&${name}=${raw}` });
const method = (verb: string): Change => (request) => ({ ...request, method: verb });
const header = (name: string, value: string | undefined): Change => (request) => {
  const headers = { ...request.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...request, headers };
};
const both = (...changes: Change[]): Change => (request) => changes.reduce((r, change) => change(r), request);

const blocking = (violations: string[]) => violations.filter((v) => !v.startsWith('warning:'));
const warnings = (violations: string[]) => violations.filter((v) => v.startsWith('warning:'));

/** The conforming call passes with no note at all; each row's call is refused with exactly its violation. */
function describeConstraints(adapter: VendorAdapter<any, any>, conforming: ReceivedRequest, rows: Row[], advice: Row[] = []): void {
  describe(`${adapter.displayName} sandbox`, () => {
    it('finds nothing to note in the conforming call', () => {
      expect(adapter.inspect(conforming)).toEqual([]);
    });

    it.each(rows)('refuses a call that breaks: %s', (_, change, violation) => {
      expect(blocking(adapter.inspect(change(conforming)))).toEqual([typeof violation === 'string' ? violation : expect.stringMatching(violation)]);
    });

    if (advice.length) {
      it.each(advice)('only notes a call that ignores advice: %s', (_, change, warning) => {
        const violations = adapter.inspect(change(conforming));
        expect(blocking(violations)).toEqual([]);
        expect(warnings(violations)).toEqual([typeof warning === 'string' ? warning : expect.stringMatching(warning)]);
      });
    }
  });
}

const base64 = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
const product = (fields: string) => base64(`[{"productname":"Shimano","productid":"prod130823",${fields}}]`);

// ---------------------------------------------------------------------------------------------------------------
// Kelkoo: the example call, with the Referer every sample sends.
const kelkooDocument = kelkooExamples();
const kelkooCall = header('referer', 'https://yourwebsite.com')(example(kelkooDocument, 'example of a call'));
const kelkooTable = kelkooParameterTable();
const validProducts = product('"price":14.99,"quantity":2');

describeConstraints(
  kelkoo,
  kelkooCall,
  [
    ['"calls the Kelkoo Group Sales Tracking Webservice … with an HTTP GET"', method('POST'), 'method must be GET, got POST'],
    // The table's "mandatory" column, read from the document.
    ...kelkooTable
      .filter((row) => row.mandatory)
      .map((row): Row => [`${row.name}: mandatory true`, param(row.name, undefined), `missing mandatory parameter ${row.name}`]),
    ['country: "The 2-letter country code"', param('country', 'fra'), 'country must be a 2-letter lower-case code, got "fra"'],
    ['orderId: "A unique order identifier" (one per call)', also('orderId', 'CMD0572085'), 'orderId is given more than once'],
    ['comId: Long', param('comId', '10047x5501'), 'comId must be a Long (digits, at most 9223372036854775807), got "10047x5501"'],
    ['comId: Long (above the largest Long)', param('comId', '9223372036854775808'), 'comId must be a Long (digits, at most 9223372036854775807), got "9223372036854775808"'],
    ['orderValue: Double', param('orderValue', '609%2C07'), 'orderValue must be a non-negative decimal number (Double), got "609,07"'],
    ['orderValue: Double (not hexadecimal)', param('orderValue', '0x10'), 'orderValue must be a non-negative decimal number (Double), got "0x10"'],
    ['productsInfos: "A UrlEncoded Base64" (not Base64)', param('productsInfos', '%5B%7B%7D%5D'), /^productsInfos is not Base64 /],
    ['productsInfos: "A UrlEncoded Base64" (trailing junk after the padding)', param('productsInfos', `${validProducts}%3D%3Djunk`), /^productsInfos is not Base64 /],
    ['productsInfos: "A UrlEncoded Base64" (trailing characters outside Base64)', param('productsInfos', `${validProducts}!!`), /^productsInfos is not Base64 /],
    ['productsInfos: "A UrlEncoded Base64" (mixed alphabets)', param('productsInfos', `${validProducts.slice(0, -2)}-%2B`), /^productsInfos is not Base64 /],
    ['productsInfos: "of a Json Array" (not JSON)', param('productsInfos', base64('productname=Shimano')), 'productsInfos is not Base64 of a JSON array'],
    ['productsInfos: "of a Json Array" (an object)', param('productsInfos', base64('{"productname":"Shimano"}')), 'productsInfos must be a non-empty JSON array'],
    ['productname: string', param('productsInfos', base64('[{"productname":7,"productid":"p","price":1,"quantity":1}]')), 'productsInfos[0].productname must be a non-empty string'],
    ['productid: string', param('productsInfos', base64('[{"productname":"Shimano","price":1,"quantity":1}]')), 'productsInfos[0].productid must be a non-empty string'],
    ['price: double', param('productsInfos', product('"price":"14.99","quantity":2')), 'productsInfos[0].price must be a non-negative number'],
    ['quantity: "integer, floating number is not allowed here" (2.0)', param('productsInfos', product('"price":14.99,"quantity":2.0')), 'productsInfos[0].quantity must be a positive integer ("floating number is not allowed here"), got 2.0'],
    ['quantity: "integer, floating number is not allowed here" (2.5)', param('productsInfos', product('"price":14.99,"quantity":2.5')), 'productsInfos[0].quantity must be a positive integer ("floating number is not allowed here"), got 2.5'],
    ['quantity: "integer, floating number is not allowed here" (2e0)', param('productsInfos', product('"price":14.99,"quantity":2e0')), 'productsInfos[0].quantity must be a positive integer ("floating number is not allowed here"), got 2e0'],
    ['quantity: integer (not a string)', param('productsInfos', product('"price":14.99,"quantity":"2"')), 'productsInfos[0].quantity must be a positive integer ("floating number is not allowed here"), got "2"'],
    ['saleId: Double (not hexadecimal)', param('saleId', '0x0'), 'saleId must be a number between 0 and 1, got "0x0"'],
    ['saleId: "A randomly generated number between 0 and 1"', param('saleId', '1.5'), 'saleId must be a number between 0 and 1, got "1.5"'],
    ['returningUser: Boolean', param('returningUser', 'yes'), 'returningUser must be "true" or "false"'],
    ['source: "Set this param value to serverToServer"', param('source', 'web'), 'source must be serverToServer, got "web"'],
    ['every value URL-encoded, as the samples send it', param('orderId', 'CMD 0572084'), 'parameter orderId is not URL-encoded'],
  ],
  [
    ['"for best practice, add in the request header of the call: Referer"', header('referer', undefined), /^warning: no Referer header/],
    ['Referer: https://yourwebsite.com', header('referer', 'yourwebsite.com'), /^warning: Referer should be the shop's absolute http\(s\) URL/],
    ['kelkooId, gclid, msclkid: mandatory false', param('kelkooId', undefined), /^warning: no kelkooId, gclid or msclkid/],
    ['source: mandatory false', param('source', undefined), /^warning: no source=serverToServer/],
  ],
);

describe('Kelkoo sandbox, what the document allows', () => {
  it.each([
    ['the largest Long as comId', param('comId', '9223372036854775807')],
    ['a saleId of 0', param('saleId', '0')],
    ['a saleId of 1 (PHP\'s mt_rand() / mt_getrandmax() can draw it)', param('saleId', '1')],
    ['a saleId written with an exponent (PHP and JavaScript write tiny numbers so)', param('saleId', '4.6566128752458E-10')],
    ['the standard Base64 alphabet with padding, URL-encoded once more (the Node sample)', param('productsInfos', encodeURIComponent(encodeURIComponent(Buffer.from('[{"productname":"Shimano?>","productid":"p","price":1,"quantity":1}]').toString('base64'))))],
    ['every optional parameter left out', both(param('kelkooId', 'k'), ...['gclid', 'msclkid', 'returningUser'].map((name) => param(name, undefined)))],
    ['returningUser false', param('returningUser', 'false')],
  ])('accepts %s', (_, change) => {
    expect(blocking(kelkoo.inspect(change(kelkooCall)))).toEqual([]);
  });

  it.each(kelkooTable.filter((row) => !row.mandatory).map((row) => [row.name]))('does not refuse a call without %s (mandatory false)', (name) => {
    expect(blocking(kelkoo.inspect(param(name, undefined)(kelkooCall)))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Klevu: the producttracking example with the shopper IP the document requires server side; the collect example.
const klevuDocument = klevuExamples([...KLEVU_PRODUCTTRACKING_REQUIRED, ...KLEVU_PRODUCTTRACKING_OPTIONAL]);
const klevuGet = param('klevu_shopperIP', '111.11.11.1')(example(klevuDocument, 'producttracking, nodejs tab'));
const klevuPost = example(klevuDocument, 'collect, nodejs tab');
/** A change to the first event of the collect body. */
const event = (change: (event: any) => void): Change => (request) => {
  const body = JSON.parse(request.body);
  change(body[0]);
  return { ...request, body: JSON.stringify(body) };
};
const item = (change: (item: any) => void) => event((e) => change(e.event_data.items[0]));

describeConstraints(
  klevu,
  klevuGet,
  [
    ['producttracking: "method get"', method('POST'), 'method must be GET, got POST'],
    ...KLEVU_PRODUCTTRACKING_REQUIRED.map((name): Row => [`${name}: kind required`, param(name, undefined), `missing mandatory parameter ${name}`]),
    ['klevu_type: "this is constant value the value must be checkout"', param('klevu_type', 'purchase'), 'klevu_type must be "checkout", got "purchase"'],
    ['klevu_unit: "it must be an integer e.g. 5"', param('klevu_unit', '2.5'), 'klevu_unit must be a positive integer, got "2.5"'],
    ['klevu_salePrice: number, "you can supply decimal values"', param('klevu_salePrice', '123%2C45'), 'klevu_salePrice must be a non-negative decimal number, got "123,45"'],
    ['klevu_currency: "three digit currency code e.g. GBP, USD, EUR"', param('klevu_currency', 'EURO'), 'klevu_currency must be a 3-letter currency code, got "EURO"'],
    ['klevu_shopperIP: "IP address of the shopper"', param('klevu_shopperIP', 'shop'), 'klevu_shopperIP must be an IPv4 or IPv6 address, got "shop"'],
    ['klevu_shopperIP_v4: "IPv4 address"', also('klevu_shopperIP_v4', '%3A%3A1'), 'klevu_shopperIP_v4 must be an IPv4 address, got "::1"'],
    ['klevu_shopperIP_v6: "IPv6 address"', also('klevu_shopperIP_v6', '1.2.3.4'), 'klevu_shopperIP_v6 must be an IPv6 address, got "1.2.3.4"'],
    ['data_protection: boolean', also('data_protection', 'no'), 'data_protection must be "true" or "false", got "no"'],
    ['klevu_country: "2 digit country code"', also('klevu_country', 'France'), 'klevu_country must be a 2-letter country code, got "France"'],
    ['every value URL-encoded', param('klevu_productId', '54321 12345'), 'parameter klevu_productId is not URL-encoded'],
  ],
  [['klevu_shopperIP: required, "if calling from JavaScript this is an optional parameter"', param('klevu_shopperIP', undefined), /^warning: no klevu_shopperIP/]],
);

describeConstraints(
  klevu,
  klevuPost,
  [
    ['collect: "method post"', method('GET'), 'method must be POST, got GET'],
    ['collect: "content type application json"', header('content-type', 'text/plain'), 'Content-Type must be application/json, got text/plain'],
    ['event: "for order use a constant value order_purchase"', event((e) => (e.event = 'purchase')), 'body[0].event must be "order_purchase"'],
    ['event_apikey: kind required', event((e) => delete e.event_apikey), 'body[0].event_apikey must be a non-empty string'],
    ['event_version: "the current version is 1.0.0"', event((e) => (e.event_version = '1.0')), 'body[0].event_version must be "1.0.0"'],
    ['event_timestamp_ms: number, "in milliseconds"', event((e) => (e.event_timestamp_ms = '1736256722349')), 'body[0].event_timestamp_ms must be a number of milliseconds'],
    ['user_profile: "the JSON object that holds the user related information"', event((e) => (e.user_profile = 'user@klevu.com')), 'body[0].user_profile must be an object'],
    ['ip_address: "IP address of the shopper"', event((e) => (e.user_profile.ip_address = 'shop')), 'body[0].user_profile.ip_address must be an IPv4 or IPv6 address, got "shop"'],
    ['email: "email id of the shopper"', event((e) => (e.user_profile.email = 'user')), 'body[0].user_profile.email must be an e-mail address'],
    ['ip_address_v4: "IPv4 address"', event((e) => (e.user_profile.ip_address_v4 = '::1')), 'body[0].user_profile.ip_address_v4 must be an IPv4 address'],
    ['ip_address_v6: "IPv6 address"', event((e) => (e.user_profile.ip_address_v6 = '1.2.3.4')), 'body[0].user_profile.ip_address_v6 must be an IPv6 address'],
    ['data_protection: boolean', event((e) => (e.user_profile.data_protection = 'false')), 'body[0].user_profile.data_protection must be a boolean'],
    ['klevu_country: "2 digit country code"', event((e) => (e.user_profile.klevu_country = 'France')), 'body[0].user_profile.klevu_country must be a 2-letter country code'],
    ['items: kind required, "accepts single or more orders"', event((e) => (e.event_data.items = [])), 'body[0].event_data.items must be a non-empty array'],
    ...(['item_name', 'item_id', 'item_group_id', 'item_variant_id', 'currency'] as const).map(
      (name): Row => [`${name}: kind required`, item((i) => delete i[name]), `body[0].event_data.items[0].${name} must be a non-empty string`],
    ),
    ['unit_price: number', item((i) => (i.unit_price = '6033.42')), 'body[0].event_data.items[0].unit_price must be a number'],
    ['currency: "the currency of the above price e.g. USD"', item((i) => (i.currency = 'US')), 'body[0].event_data.items[0].currency must be a 3-letter currency code'],
    ['units: integer', item((i) => (i.units = 1.5)), 'body[0].event_data.items[0].units must be a positive integer'],
    ['order_id: string', item((i) => (i.order_id = 1223434)), 'body[0].event_data.items[0].order_id must be a string'],
    ['order_line_id: string', item((i) => (i.order_line_id = 12343)), 'body[0].event_data.items[0].order_line_id must be a string'],
    ['the body: JSON', (r) => ({ ...r, body: 'event=order_purchase' }), 'body is not JSON'],
  ],
  [
    ['ip_address: required, "if calling from JavaScript this is an optional parameter"', event((e) => delete e.user_profile.ip_address), /^warning: body\[0\]\.user_profile\.ip_address is missing/],
    ['user_profile: required, its ip_address optional from JavaScript', event((e) => delete e.user_profile), /^warning: body\[0\]\.user_profile is missing/],
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// QUALITYCLICK: the cURL call.
const qualityclickCall = example(qualityclickExamples(), 'cURL: Server-to-Server call');

describeConstraints(
  qualityclick,
  qualityclickCall,
  [
    ['"the same URL with the same parameters" as the pixel: a GET', method('POST'), 'method must be GET, got POST'],
    ...['cpid', 'tid', 'clickid'].map((name): Row => [`${name}: in every call the document shows`, param(name, undefined), `missing mandatory parameter ${name}`]),
    [
      'produkt: "QUALITYCLICK checks whether the partner is approved for the submitted commission product" unless nocheck=1',
      param('produkt', undefined),
      'missing mandatory parameter produkt (only nocheck=1 skips the check of the commission product)',
    ],
    ['tid: "detects duplicates based on the TransactionID (tid)" – one per call', also('tid', 'ORD-2026-002'), 'parameter tid is given more than once'],
    ['cpid: Program ID (1)', param('cpid', 'one'), 'cpid must be a program id (digits only)'],
    ['umsatz: net revenue, written 95.50', param('umsatz', '95%2C50'), 'umsatz must be a non-negative decimal number with a point, e.g. 95.50'],
    ['nocheck: "With the parameter nocheck=1"', also('nocheck', '0'), 'nocheck must be absent or 1'],
    ['"Only pass parameters you can actually populate with values"', also('pid', ''), 'pid is empty: it would override the value from the ClickID with nothing ("only pass parameters you can actually populate")'],
    ['every value URL-encoded (http_build_query)', param('tid', 'ORD 2026'), 'parameter tid is not URL-encoded'],
  ],
  [
    ['"pid, subid or wmid … override the values from the ClickID"', also('pid', '2'), 'warning: pid=2 overrides the pid QUALITYCLICK resolves from the ClickID'],
    ['umsatz in every full example; absent in "Pixel with nocheck"', param('umsatz', undefined), /^warning: no umsatz/],
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// ClickMeter: "the final result", #S1# filled in.
const clickmeterCall = example(clickmeterExamples(), '"The final result", #S1# filled in');
const unfilledSnippet = clickmeterUrls()[0]!;

describeConstraints(
  clickmeter,
  clickmeterCall,
  [
    ['a postback URL the merchant calls: a GET', method('POST'), 'method must be GET, got POST'],
    ...['clickId', 'id', 'val', 'com'].map((name): Row => [`${name} (mandatory)`, param(name, undefined), `missing mandatory parameter ${name}`]),
    ['id: "It\'s important you do NOT modify it"', param('id', 'A531F18F%2FCECC'), 'id must be the conversion id ClickMeter generated, unmodified'],
    ['val: "the value … Eg.: 20"', param('val', 'twenty'), 'val must be a number, got "twenty"'],
    ['com: "It works exactly as for the val parameter"', param('com', '0%2C5'), 'com must be a number, got "0,5"'],
    ['comperc: "expressed in % of the value"', both(param('com', '0'), also('comperc', 'ten')), 'comperc must be a number, got "ten"'],
    ['comperc: "can be used only if com is set to 0"', also('comperc', '10'), 'comperc can be used only if com is set to 0'],
    ['clickId: the placeholder replaced by the actual value', param('clickId', '%23S1%23'), 'clickId is the document\'s placeholder "#S1#", not a value'],
    ['clickId: "<insert>" replaced in the snippet', param('clickId', '%3Cinsert%3E'), 'clickId is the document\'s placeholder "<insert>", not a value'],
    ['clickId once per postback', also('clickId', 'other'), 'clickId is given more than once'],
    ['param: "some other valid urlencoded char"', param('param', 'a b'), 'parameter param is not URL-encoded'],
  ],
);

describe('ClickMeter sandbox, the snippet as the document prints it', () => {
  it('refuses the unfilled <insert> placeholders', () => {
    const path = unfilledSnippet.slice(unfilledSnippet.indexOf('/s2s'));
    expect(blocking(clickmeter.inspect({ method: 'GET', url: path, headers: {}, body: '' }))).toEqual(
      expect.arrayContaining(['clickId is the document\'s placeholder "<insert>", not a value', 'parameter clickId is not URL-encoded']),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Raptor: the EXAMPLE, filled in.
const raptorCall = example(raptorExamples(), 'EXAMPLE');

describeConstraints(
  raptor,
  raptorCall,
  [
    ['"send a GET request to a URL"', method('POST'), 'method must be GET, got POST'],
    ['"https://t.raptorsmartadvisor.com/[customerid].rsa"', (r) => ({ ...r, url: r.url.replace('1234.rsa', '1234') }), 'path must end in /{customerid}.rsa, got /1234'],
    ['coid: "Must be send at every page request"', param('coid', undefined), 'missing mandatory parameter coid'],
    ['sid: "Must be send at every page request"', param('sid', undefined), 'missing mandatory parameter sid'],
    ['p1: the event type of every example (p1=itemclick)', param('p1', undefined), 'missing mandatory parameter p1'],
    ['ruid: "A base64 encoded userid"', param('ruid', 'user%40shop.example'), 'ruid must be the Base64 of the user id'],
    ['xuid: "This can NOT be used together with ReaId and RuId"', also('xuid', 'x1'), 'xuid must not be sent together with reaid or ruid'],
    ['"All Parameters must be URL encoded"', param('p2', '123 45'), 'parameter p2 is not URL-encoded'],
    ['one value per parameter', also('p2', '54321'), 'parameter p2 is given more than once'],
    ['the parameters the URL format names', also('foo', '1'), 'parameter foo is not in the document'],
  ],
  [
    ['coid: "The value is a Guid (uuid v4)"', param('coid', 'cookie-1'), 'warning: coid should be a GUID (uuid v4), got cookie-1'],
    ['sid: "The value is a Guid (uuid v4)"', param('sid', 'session-1'), 'warning: sid should be a GUID (uuid v4), got session-1'],
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Generic postbacks have no document: the sandbox checks what every filled template must be.
describe('Generic postback sandbox', () => {
  const inspect = (url: string, init: Partial<ReceivedRequest> = {}) => postback.inspect({ method: 'GET', url, headers: {}, body: '', ...init });

  it.each([
    ['a value that is text in braces, correctly encoded', '/pb?ref=ORD-%7B2026%7D-7&cks=c1'],
    ['a value that reads like a macro, correctly encoded (the shop\'s own text)', '/pb?ref=%7Border.orderId%7D&cks=c1'],
    ['a lone encoded brace', '/pb?ref=%7B'],
  ])('accepts %s', (_, url) => {
    expect(inspect(url)).toEqual([]);
  });

  it.each([
    ['a macro of the template left in the URL', '/pb?ref={order.orderId}&cks=c1', {}, ['a macro was left unfilled in the URL: {order.orderId}', 'parameter ref is not URL-encoded']],
    ['a macro left in the path', '/pb/{clickId}?ref=1', {}, ['a macro was left unfilled in the URL: {clickId}']],
    ['a macro left in a form body', '/pb', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ref={order.orderId}' }, ['a macro was left unfilled in the body: {order.orderId}']],
    ['a POST without a body', '/pb?a=1', { method: 'POST' }, ['POST without a body']],
    ['a value not URL-encoded', '/pb?ref=a b', {}, ['parameter ref is not URL-encoded']],
  ])('refuses %s', (_, url, init, violations) => {
    expect(inspect(url, init)).toEqual(violations);
  });

  it('leaves a JSON body to the network: a macro-like value there is the shop\'s own text, JSON-escaped', () => {
    expect(inspect('/pb', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ref":"{order.orderId}"}' })).toEqual([]);
  });
});
