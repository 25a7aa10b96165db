/**
 * Privacy, as a property: generated shoppers (an IPv4 address, or IPv6 in any spelling; an e-mail address, also used
 * as Raptor's user id) and click ids of any length go through capture, conversion and every destination – the five
 * vendors and a postback – on DynamoDB Local and the SQS server. Each vendor answers by echoing one of the order's
 * values, in some spelling and encoding, whole or cut anywhere, at any distance from where the service cuts text to
 * size, in the body or in a header.
 *
 * Then nothing the service keeps or shows may hold a spelling of a personal value, or its first six characters:
 * the status route, GET /v1/deliveries, the delivery records as stored (history, lastError), `npm run status`'s
 * lines, the console's data routes, and every log line. Click ids may be kept where a click id is the point – the
 * click records, a postback's `cancelWith`, the console's visitor and attribution views – and nowhere else.
 *
 * PRIVACY_RUNS sets the number of orders (default 200; the nightly run, `npm run test:privacy:nightly`, 3,000).
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { documentClient } from '../../lambdas/store/document-client';
import type { HttpSender } from '../../lambdas/vendors/http-sender';
import type { VendorRequest, VendorResponse } from '../../lambdas/vendors/types';
import { LocalConsole } from '../../local/console/server';
import type { RecordedRequest, VendorSandbox } from '../../local/sandbox';
import { formatStatus } from '../../scripts/status';
import { API_KEY, apiEvent, call, lambdaContext } from '../support/api';
import { createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { shopperIp, spellIpv6, ipv6Spelling } from '../support/ip-spellings';
import { expectNone } from '../support/personal-search';
import { queuesFor, queueUrlsOf, receiveRecords, sendersFor } from '../support/senders';

const RUNS = Number(process.env.PRIVACY_RUNS ?? 200);
const BATCH = 10;
const HOST = 'https://vendor.test/sandbox';

const config: TrackingConfig = parseConfig({
  vendors: {
    kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `${HOST}/kelkoo/st` },
    klevu: { apiKey: 'klevu-key-0001', sendEmail: true, endpoint: `${HOST}/klevu/analytics/collect` },
    qualityclick: { endpoint: `${HOST}/qualityclick/get_trans.cgi`, cpid: '1', product: 'Sale', clickIdParam: 'qc_clickid' },
    clickmeter: { conversionId: 'A531F18FCECC4DEB9B2C3994556FBF41', clickIdParam: 's1', param: 'order={order.orderId}', endpoint: `${HOST}/clickmeter/s2s` },
    raptor: { customerId: '1234', endpoint: `${HOST}/raptor`, purchaseParams: { p1: 'buy', p2: '{item.productId}', p5: '{order.orderId}' } },
  },
  postbacks: {
    awin: {
      clickIdParam: 'awc',
      url: `${HOST}/awin/sread.php?tt=ss&ref={order.orderId}&cks={clickId}&amount={order.netValue}`,
      cancel: { url: `${HOST}/awin/cancel.php?ref={order.orderId}&cks={clickId}` },
    },
  },
  delivery: { maxAttempts: 5, retryBaseSeconds: 30, timeoutMs: 5000 },
});
const DESTINATIONS = ['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor', 'awin'] as const;

// --- What a case is made of ---------------------------------------------------------------------------------------

const idChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-');
/** A click id: from one character (under six: kept out of text as a whole token only) to 40. */
const clickId = fc.oneof(
  fc.string({ unit: idChars, minLength: 1, maxLength: 5 }).map((s) => `Q${s}`.slice(0, 5)),
  fc.string({ unit: idChars, minLength: 6, maxLength: 40 }).map((s) => `C${s}`),
);
const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{1,6}(?:[._-][a-z0-9]{1,6}){0,2}$/), fc.stringMatching(/^[a-z]{3,10}$/), fc.boolean())
  .map(([local, domain, upper]) => (upper ? `${local[0]!.toUpperCase()}${local.slice(1)}@${domain}.example` : `${local}@${domain}.example`));

/** How a vendor's answer carries a value. */
const ENCODINGS = ['raw', 'upper', 'uri', 'uri-lower', 'uri-twice', 'json', 'base64', 'base64-bare', 'base64url', 'base64url-bare'] as const;
type Encoding = (typeof ENCODINGS)[number];

function encode(value: string, encoding: Encoding): string {
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  switch (encoding) {
    case 'raw':
      return value;
    case 'upper':
      return value.toUpperCase();
    case 'uri':
      return encodeURIComponent(value);
    case 'uri-lower':
      return encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
    case 'uri-twice':
      return encodeURIComponent(encodeURIComponent(value));
    case 'json':
      return JSON.stringify(value).slice(1, -1);
    case 'base64':
      return b64;
    case 'base64-bare':
      return b64.replace(/=+$/, '');
    case 'base64url':
      return b64.replace(/\+/g, '-').replace(/\//g, '_');
    case 'base64url-bare':
      return b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
}

const echo = fc.record({
  status: fc.constantFrom(400, 422, 503, 200, 302),
  /** Which value: the shopper's IP (in another spelling, for IPv6), the e-mail, or the destination's click id. */
  value: fc.constantFrom('ip', 'email', 'click'),
  respell: ipv6Spelling,
  encoding: fc.constantFrom(...ENCODINGS),
  /** Cut after this many characters (the vendor truncated it), or whole. */
  cut: fc.option(fc.nat(60), { nil: undefined }),
  /** Characters before it: around the 200 of lastError's excerpt and the 256 of the history. */
  padding: fc.oneof(fc.nat(20), fc.integer({ min: 180, max: 270 })),
  inHeader: fc.boolean(),
});
type Echo = typeof echo extends fc.Arbitrary<infer T> ? T : never;

const order = fc.record({
  shopper: shopperIp,
  email,
  clicks: fc.record({ kk: clickId, qc_clickid: clickId, s1: clickId, awc: clickId, coid: clickId, sid: clickId }),
  echoes: fc.record(Object.fromEntries(DESTINATIONS.map((d) => [d, echo])) as Record<(typeof DESTINATIONS)[number], typeof echo>),
  netValue: fc.integer({ min: 1, max: 99_999 }).map((cents) => cents / 100),
});
type Case = (typeof order extends fc.Arbitrary<infer T> ? T : never) & { orderId: string; sessionId: string };

// --- What must not appear ------------------------------------------------------------------------------------------

/** Spellings of the shopper's address, computed here, apart from the service's redaction. */
function addressForms(c: Case): string[] {
  const { ip, groups } = c.shopper;
  const compressed = new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const dotted = `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  return [
    ip,
    compressed,
    groups.map((g) => g.toString(16)).join(':'),
    groups.map((g) => g.toString(16).padStart(4, '0')).join(':'),
    ...(mapped ? [dotted, `::ffff:${dotted}`] : []),
    ...Object.entries(c.echoes)
      .filter(([, e]) => e.value === 'ip')
      .map(([destination, e]) => echoedValue(c, e, destination)),
  ];
}

/** The start of `form` whose encoding makes up the first `length` characters of the encoded form (at most). */
function coveredBy(form: string, encoding: Encoding, length: number): string {
  if (encoding.startsWith('base64')) return form.slice(0, Math.floor((length * 6) / 8));
  let encoded = 0;
  let chars = 0;
  while (chars < form.length && encoded < length) encoded += encode(form[chars++]!, encoding).length;
  return form.slice(0, chars);
}

/**
 * The starts that may not appear: six characters of every encoding of every form – or, where several orders share
 * one text (the listing, the console's order list, the logs), eight of a Base64 one: six Base64 letters are four
 * bytes and a half, and another order's `productsInfos` (Base64 of its lines) holds such a run by chance.
 */
function forbiddenStarts(forms: string[], base64Length = 6): string[] {
  const starts = new Set<string>();
  for (const form of forms) {
    for (const encoding of ENCODINGS) {
      const length = encoding.startsWith('base64') ? base64Length : 6;
      const spelled = encode(form, encoding).toLowerCase();
      // A start made of zeros and separators alone (`0:0:0:` of a mapped address) says nothing of anyone.
      const telling = /[^0:.]/.test(coveredBy(form, encoding, length));
      if (spelled.length >= length && telling) starts.add(spelled.slice(0, length));
    }
  }
  return [...starts];
}

function personalStarts(c: Case, base64Length?: number): string[] {
  return forbiddenStarts([...addressForms(c), c.email, c.email.toLowerCase()], base64Length);
}

function clickStarts(c: Case, base64Length?: number): string[] {
  return forbiddenStarts(
    Object.values(c.clicks).filter((id) => id.length >= 6),
    base64Length,
  );
}

/**
 * Short click ids, which the service keeps out of redacted text where they stand as whole tokens – except one that a
 * vendor's echo of another value, cut short, spells too (the echo of `QfUal` cut after two characters reads `Qf`,
 * which is the short id `QF` to the case-blind search below): that token is a fragment of the other value, which a
 * fragment this short cannot be recognised as, not the short id.
 */
function shortClickIds(c: Case): string[] {
  const cutEchoes = DESTINATIONS.filter((destination) => c.echoes[destination].cut !== undefined).map((destination) => ({
    value: echoedValue(c, c.echoes[destination], destination),
    spelled: spelledEcho(c, destination).toLowerCase(),
  }));
  return Object.values(c.clicks).filter((id) => id.length < 6 && !cutEchoes.some((echo) => echo.value !== id && echo.spelled === id.toLowerCase()));
}

function expectNoToken(where: string, text: string, ids: string[]): void {
  for (const id of ids) {
    const escaped = id.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    if (new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'i').test(text)) throw new Error(`${where} holds the short click id ${JSON.stringify(id)}:\n${text}`);
  }
}

// --- The echoing vendors -------------------------------------------------------------------------------------------

/** Each destination's own click id, the one its message carries (Klevu's message carries none). */
function clickOf(c: Case, destination: string): string | undefined {
  return { kelkoo: c.clicks.kk, qualityclick: c.clicks.qc_clickid, clickmeter: c.clicks.s1, awin: c.clicks.awc, raptor: c.clicks.coid }[destination];
}

const isBase64 = (e: Echo) => e.encoding.startsWith('base64');

/**
 * The value a vendor echoes: its click id, the e-mail, or the shopper's address – respelled, unless Base64-encoded
 * (no adapter sends an address in Base64, so only the spellings the service knows can come back that way).
 */
function echoedValue(c: Case, e: Echo, destination: string): string {
  if (e.value === 'click') return clickOf(c, destination) ?? c.email;
  if (e.value === 'email') return c.email;
  return isBase64(e) ? c.shopper.ip : spellIpv6(c.shopper.groups, e.respell);
}

/** The echoed value as the vendor writes it: encoded, then cut. */
function spelledEcho(c: Case, destination: string): string {
  const e = c.echoes[destination as keyof Case['echoes']];
  return encode(echoedValue(c, e, destination), e.encoding).slice(0, e.cut ?? Infinity);
}

function answer(c: Case, destination: string): VendorResponse {
  const e = c.echoes[destination as keyof Case['echoes']];
  const spelled = spelledEcho(c, destination);
  const said = `${'x'.repeat(e.padding)} ${spelled} `;
  const body = e.status === 200 ? JSON.stringify({ success: false, error: said }) : `error: unknown ${said} refused`;
  const headers: Record<string, string> = e.status === 302 ? { location: `https://other.test/?v=${spelled}` } : e.inHeader ? { 'x-reason': said } : {};
  return { status: e.status, headers, body: e.inHeader && e.status !== 200 ? `error ${'y'.repeat(e.padding)}` : body };
}

// --- The pipeline --------------------------------------------------------------------------------------------------

let tableName: string;
let stores: Awaited<ReturnType<typeof createTestStore>>;
const sqs = sqsClient();
let consoleServer: Server;
let consoleUrl: string;
const recorded: RecordedRequest[] = [];
const apiLog = recordingLogger();
const senderLog = recordingLogger();
const cases = new Map<string, Case>();
let localConsole: LocalConsole;

const http: HttpSender = {
  async send(request: VendorRequest): Promise<VendorResponse> {
    const target = new URL(request.url);
    const destination = target.pathname.split('/')[2]!;
    const text = `${request.url}\n${request.body ?? ''}`;
    const c = [...cases.values()].find((candidate) => text.includes(candidate.orderId));
    if (!c) throw new Error(`no case for ${request.url}`);
    const response = answer(c, destination);
    recorded.push({
      id: recorded.length + 1,
      vendor: destination,
      method: request.method,
      url: `${target.pathname}${target.search}`,
      vendorUrl: `${target.pathname.slice(`/sandbox/${destination}`.length)}${target.search}`,
      query: Object.fromEntries(target.searchParams),
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
      body: request.body ?? '',
      receivedAt: new Date().toISOString(),
      status: response.status,
    } as RecordedRequest);
    return response;
  },
};

let handlers: ReturnType<typeof createApiHandlers>;
let senders: Record<string, (event: { Records: unknown[] }, context: unknown) => Promise<unknown>>;
let queues: Awaited<ReturnType<typeof queuesFor>>;

beforeAll(async () => {
  stores = await createTestStore();
  tableName = stores.tableName;
  queues = await queuesFor(config, sqs, 5);
  localConsole = new LocalConsole({ requests: () => recorded } as unknown as VendorSandbox);
  localConsole.attach({ config, db: documentClient(stores.client), tableName, apiKeys: [API_KEY] });
  handlers = localConsole.observe(
    createApiHandlers({
      config,
      store: stores.store,
      queues: localConsole.journal.recordQueued(new SqsDeliveryQueues(sqs, queueUrlsOf(queues))),
      apiKeys: new StaticApiKeys([API_KEY]),
      logger: apiLog.logger,
    }),
  );
  senders = sendersFor(config, { store: stores.store, sqs, queues, http, logger: senderLog.logger, recordWaitMs: 50 }) as typeof senders;
  consoleServer = createServer((req, res) => void localConsole.handle(req, res));
  await new Promise<void>((resolve) => consoleServer.listen(0, '127.0.0.1', resolve));
  consoleUrl = `http://127.0.0.1:${(consoleServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => consoleServer.close(resolve));
});

let sequence = 0;

async function report(c: Case): Promise<void> {
  const capture = await call(
    handlers.capture,
    apiEvent({
      path: '/v1/clicks',
      body: {
        visitor: { sessionId: c.sessionId },
        params: { kk: c.clicks.kk, qc_clickid: c.clicks.qc_clickid, s1: c.clicks.s1, awc: c.clicks.awc },
        identifiers: { raptor: { coid: c.clicks.coid, sid: c.clicks.sid, ruid: c.email } },
      },
    }),
  );
  expect(capture.status).toBe(201);
  const conversion = await call(
    handlers.conversion,
    apiEvent({
      path: '/v1/conversions',
      body: {
        orderId: c.orderId,
        visitor: { sessionId: c.sessionId },
        currency: 'EUR',
        orderValue: c.netValue,
        netValue: c.netValue,
        items: [{ productId: 'P-1', name: 'Lamp', unitPrice: c.netValue, quantity: 1 }],
        shopper: { ip: c.shopper.ip, email: c.email, country: 'fr' },
      },
    }),
  );
  if (conversion.status !== 202) throw new Error(`conversion ${c.orderId}: ${conversion.status} ${JSON.stringify(conversion.body)}`);
}

/** Every message of the batch, through its destination's sender as Lambda hands them over. */
async function deliver(count: number): Promise<void> {
  await Promise.all(DESTINATIONS.map(async (destination) => {
    let received = 0;
    for (let tries = 0; received < count && tries < 10; tries++) {
      const records = await receiveRecords(sqs, queues[destination]!.queueUrl, { max: 10, waitSeconds: 1 });
      received += records.length;
      if (records.length) await senders[destination]!({ Records: records }, lambdaContext);
    }
    expect(`${destination}: ${received}`).toBe(`${destination}: ${count}`);
  }));
}

async function consoleRoute(path: string): Promise<string> {
  const response = await fetch(`${consoleUrl}${path}`, { headers: { host: 'localhost' } });
  expect(response.status).toBe(200);
  return response.text();
}

async function check(batch: Case[], logsFrom: { api: number; sender: number }): Promise<void> {
  const listing = await call(handlers.deliveries, apiEvent({ method: 'GET', path: '/v1/deliveries', headers: {} }));
  expect(listing.status).toBe(200);
  const { next, deliveries: listed } = listing.body as { next?: string; deliveries: Array<{ orderId: string }> };
  const orders = JSON.parse(await consoleRoute('/local/orders?limit=500')) as { orders: Array<{ orderId: string }> };
  const logs = [...apiLog.lines.slice(logsFrom.api), ...senderLog.lines.slice(logsFrom.sender)];
  // Shared texts, against every order of the batch.
  const shared = batch.flatMap((c) => [...personalStarts(c, 8), ...clickStarts(c, 8)]);
  // The cursor is Base64url of an index position: checked decoded, as its letters can match anything.
  if (next !== undefined) expectNone('the listing cursor', Buffer.from(next, 'base64url').toString('utf8'), shared);
  expectNone('GET /v1/deliveries', JSON.stringify(listed), shared);
  expectNone('the console, orders', JSON.stringify(orders), batch.flatMap((c) => personalStarts(c, 8)));
  expectNone('the logs', logs.join('\n'), shared);
  for (const c of batch) {
    const personal = personalStarts(c);
    const everything = [...personal, ...clickStarts(c)];
    const status = await call(handlers.status, apiEvent({ method: 'GET', path: `/v1/conversions/${c.orderId}`, pathParameters: { orderId: c.orderId } }));
    expect(status.status).toBe(200);
    expectNone('the status route', JSON.stringify(status.body), everything);
    const redactedTexts = (status.body.deliveries as Array<{ lastError?: string; history?: Array<Record<string, unknown>> }>).flatMap((d) => [
      d.lastError ?? '',
      ...(d.history ?? []).flatMap((h) => [String(h.request ?? ''), String(h.response ?? ''), String(h.transportError ?? '')]),
    ]);
    expectNoToken('lastError and the history', redactedTexts.join('\n'), shortClickIds(c));
    expectNone('npm run status', formatStatus(status.body).join('\n'), everything);
    // Each order's own rows and log lines, with six characters of every encoding.
    expectNone('GET /v1/deliveries, its rows', JSON.stringify(listed.filter((row) => row.orderId === c.orderId)), everything);
    expectNone('the console, its row', JSON.stringify(orders.orders.filter((row) => row.orderId === c.orderId)), personal);
    expectNone('its log lines', logs.filter((line) => line.includes(c.orderId)).join('\n'), everything);
    const stored = await stores.client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ORDER#${c.orderId}` } }));
    expect(stored.Items?.length).toBeGreaterThan(0);
    // A postback's cancelWith keeps its click id on purpose (docs/PRIVACY.md); no record keeps the shopper.
    expectNone('the order and delivery records', JSON.stringify(stored.Items), personal);
    expectNone('the console, one order', await consoleRoute(`/local/orders/${encodeURIComponent(c.orderId)}`), personal);
  }
}

describe('privacy: nothing the service keeps or shows holds a personal value, in any spelling', () => {
  it(`over ${RUNS} generated orders, every destination echoing`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(order, { minLength: BATCH, maxLength: BATCH }), async (generated) => {
        const batch = generated.map((g): Case => {
          sequence++;
          return { ...g, orderId: `PRIV-${process.pid}-${String(sequence).padStart(6, '0')}`, sessionId: `s-${process.pid}-${sequence}` };
        });
        batch.forEach((c) => cases.set(c.orderId, c));
        const logsFrom = { api: apiLog.lines.length, sender: senderLog.lines.length };
        await Promise.all(batch.map(report));
        await deliver(batch.length);
        await check(batch, logsFrom);
        batch.forEach((c) => cases.delete(c.orderId));
      }),
      { numRuns: Math.ceil(RUNS / BATCH), endOnFailure: true },
    );
  }, 60_000 + RUNS * 2_000);
});
