/**
 * The local console: a static page (index.html, style.css, app.js in this folder) and the read-only routes it
 * needs under /local/…, served by the local stack only – the deployed API has none of this.
 *
 * | route | answer |
 * | --- | --- |
 * | `GET /` | the page |
 * | `GET /local/info` | API key, destinations, a fresh "try it" sample |
 * | `GET /local/orders[?limit=50]` | orders newest first, with each destination's status and cancellation, the order's cancellation and groups |
 * | `GET /local/orders/{orderId}` | one order: per destination its status, attribution, and the sandbox calls made, decoded; the order's cancellation and each sale's cancellation call (under the sale, with its calls); the exclusive groups' winners |
 * | `GET /local/visitors?sessionId=…` (or `userId`, `basketId`) | the key's click ids and links, and the keys they reach |
 *
 * Every answer forbids inline script (Content-Security-Policy) and is refused unless the Host header names this
 * machine, so that a web page elsewhere cannot reach it through DNS rebinding.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { cancelDestinationId, cancelDestinationsOf } from '../../lambdas/config/cancellation';
import { catalogueOf, Destination, destinationsOf } from '../../lambdas/config/destinations';
import type { TrackingConfig } from '../../lambdas/config/schema';
import { visitorKeys, visitorSchema } from '../../lambdas/core/visitor';
import type { ApiHandler } from '../../lambdas/api/http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isLocalHost, sendError, sendJson } from '../http-api';
import type { RecordedRequest, VendorSandbox } from '../sandbox';
import { personalValues, redactor } from '../../lambdas/core/redact';
import { decodeRequest } from './decode';
import { ConversionJournal } from './journal';
import { ConsoleReader, DeliveryRow } from './reader';
import { tryItSample } from './sample';

export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/console/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/console/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

const LOCAL_PREFIX = '/local/';
const MAX_ORDERS = 500;

interface Wiring {
  config: TrackingConfig;
  destinations: Destination[];
  /** The postbacks' cancellation destinations (`<postback>-cancel`), whose calls are shown under their sale. */
  cancelDestinations: Destination[];
  reader: ConsoleReader;
  apiKeys: readonly string[];
}

export class LocalConsole {
  private wiring?: Wiring;
  readonly journal = new ConversionJournal(() =>
    this.wiring ? { reader: this.wiring.reader, catalogue: catalogueOf(this.wiring.destinations) } : undefined,
  );

  constructor(private readonly sandbox: VendorSandbox) {}

  /** Once the table exists: the data routes answer from then on (the page itself is served from the start). */
  attach(options: { config: TrackingConfig; db: DynamoDBDocumentClient; tableName: string; apiKeys: readonly string[] }): void {
    this.wiring = {
      config: options.config,
      destinations: destinationsOf(options.config),
      cancelDestinations: cancelDestinationsOf(options.config),
      reader: new ConsoleReader(options.db, options.tableName, options.config),
      apiKeys: options.apiKeys,
    };
  }

  /** The handlers, with the conversion's accepted requests noted in the journal (visitor keys, identifiers). */
  observe<T extends { conversion: ApiHandler }>(handlers: T): T {
    const conversion = handlers.conversion;
    return {
      ...handlers,
      conversion: async (event, context) => {
        const result = await conversion(event, context);
        if (result.statusCode === 202) {
          try {
            const body = JSON.parse(event.body ?? '{}') as { orderId: string; visitor: unknown; identifiers?: Record<string, Record<string, string>> };
            const visitor = visitorSchema.safeParse(body.visitor);
            this.journal.accepted(body.orderId, visitor.success ? visitorKeys(visitor.data) : [], body.identifiers);
          } catch {
            // The handler accepted it, so it parses; nothing to note otherwise.
          }
        }
        return result;
      },
    };
  }

  serves(path: string): boolean {
    return path in STATIC_FILES || path.startsWith(LOCAL_PREFIX) || path === '/local';
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const wiring = this.wiring;
    return serveConsole(request, response, wiring && ((url) => this.route(url, wiring)), 'The local stack is still starting; try again in a moment');
  };

  private async route(url: URL, wiring: Wiring): Promise<ConsoleAnswer> {
    const path = url.pathname;
    if (path === '/local/info') {
      return {
        status: 200,
        body: {
          apiKey: wiring.apiKeys[0],
          destinations: wiring.destinations.map((d) => ({ id: d.id, vendor: d.adapter.id, name: d.adapter.displayName })),
          sample: tryItSample(catalogueOf(wiring.destinations)),
        },
      };
    }
    if (path === '/local/orders') {
      const limit = Number(url.searchParams.get('limit') ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ORDERS) return invalid('limit', `must be an integer from 1 to ${MAX_ORDERS}`);
      return { status: 200, body: await wiring.reader.orders(limit) };
    }
    if (path.startsWith('/local/orders/')) {
      const orderId = orderIdOfPath(path);
      if (typeof orderId !== 'string') return orderId;
      const detail = await this.orderDetail(orderId, wiring);
      return detail ? { status: 200, body: detail } : { status: 404, body: { error: { code: 'not_found', message: `No order ${JSON.stringify(orderId)}` } } };
    }
    if (path === '/local/visitors') return visitorsAnswer(url, wiring.reader);
    return { status: 404, body: { error: { code: 'route_not_found', message: `No local route ${path}` } } };
  }

  /** A sale's cancellation call as its delivery row holds it, with the sandbox calls it made. */
  private cancellationDetail(orderId: string, sale: string, state: Exclude<DeliveryRow['cancellation'], 'unsupported' | undefined>, wiring: Wiring, recorded: RecordedRequest[]) {
    const destination = wiring.cancelDestinations.find((d) => d.id === cancelDestinationId(sale));
    return { ...state, ...cancellationCalls(this.journal, orderId, destination, recorded) };
  }

  private async orderDetail(orderId: string, wiring: Wiring) {
    const row = await wiring.reader.order(orderId);
    if (!row) return undefined;
    const entry = this.journal.get(orderId);
    const attribution = await this.journal.attribution(orderId);
    const recorded = this.sandbox.requests();
    const message = entry?.messages.values().next().value;
    // The sandbox's calls are what the vendor received, shopper IP and e-mail included (and a Raptor user id may be
    // the e-mail); the console shows the order as the service keeps its own records: without those (docs/PRIVACY.md).
    // Click ids stay: which one attributed the sale is the point of this view.
    const redact = redactor(message ? personalValues(message.order) : []);
    return redactedDeep({
      orderId: row.orderId,
      receivedAt: row.receivedAt,
      ...(row.cancellation ? { cancellation: row.cancellation } : {}),
      ...(row.groups ? { groups: row.groups } : {}),
      // Orders reported to an earlier run of the stack have a table record but no journal entry.
      journal: entry !== undefined,
      visitor: entry?.visitor ?? [],
      ...(message ? { order: { currency: message.order.currency, orderValue: message.order.orderValue, netValue: message.order.netValue, lines: message.order.items.length } } : {}),
      ...(attribution && 'error' in attribution ? { attributionError: attribution.error } : {}),
      deliveries: row.deliveries.map((delivery) => {
        const destination = wiring.destinations.find((d) => d.id === delivery.vendor);
        const calls = destination ? this.journal.callsFor(orderId, destination, recorded) : undefined;
        const clicks = attribution && !('error' in attribution) ? attribution[delivery.vendor] : undefined;
        return {
          ...delivery,
          ...(typeof delivery.cancellation === 'object' ? { cancellation: this.cancellationDetail(orderId, delivery.vendor, delivery.cancellation, wiring, recorded) } : {}),
          name: destination?.adapter.displayName ?? delivery.vendor,
          ...(clicks ? { attribution: clicks } : {}),
          ...(calls ? { calls: calls.map((call) => ({ ...call, decoded: decodeRequest(destination!.adapter, call) })) } : {}),
        };
      }),
    }, redact);
  }
}

/** The sandbox calls a cancellation call made: what the vendor received for it, decoded like a sale's. */
function cancellationCalls(journal: ConversionJournal, orderId: string, destination: Destination | undefined, recorded: RecordedRequest[]) {
  const calls = destination ? journal.callsFor(orderId, destination, recorded) : undefined;
  return calls ? { calls: calls.map((call) => ({ ...call, decoded: decodeRequest(destination!.adapter, call) })) } : {};
}

/** GET /local/visitors?sessionId=…: the keys given and every key their links reach (ConsoleReader.visitor). */
export async function visitorsAnswer(url: URL, reader: Pick<ConsoleReader, 'visitor'>): Promise<ConsoleAnswer> {
  const parsed = visitorSchema.safeParse(Object.fromEntries(url.searchParams));
  const keys = parsed.success ? visitorKeys(parsed.data) : [];
  if (!parsed.success) return invalid(String(parsed.error.issues[0]?.path.join('.') || 'query'), parsed.error.issues[0]?.message ?? 'is invalid');
  if (!keys.length) return invalid('query', 'give one of sessionId, userId, basketId');
  return { status: 200, body: { keys: await reader.visitor(keys) } };
}

/** A console route's answer: its status and JSON body. */
export interface ConsoleAnswer {
  status: number;
  body: unknown;
}

/**
 * Serves one request of a console – the local one or the deployed one (deployed.ts): refused unless the Host header
 * names this machine, GET and HEAD only, the page's files, then the data routes `route` answers (503 `notReady`
 * while there is none yet).
 */
export async function serveConsole(
  request: IncomingMessage,
  response: ServerResponse,
  route: ((url: URL) => Promise<ConsoleAnswer>) | undefined,
  notReady: string,
): Promise<void> {
  request.resume();
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (!isLocalHost(request.headers.host)) {
    return sendError(response, 403, 'forbidden', 'The console answers only on localhost', CONSOLE_SECURITY_HEADERS);
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return sendError(response, 405, 'method_not_allowed', `${url.pathname} is read-only; use GET`, { ...CONSOLE_SECURITY_HEADERS, allow: 'GET' });
  }
  const file = STATIC_FILES[url.pathname];
  if (file) {
    const body = await readFile(join(__dirname, file.file));
    response.writeHead(200, { ...CONSOLE_SECURITY_HEADERS, 'content-type': file.type });
    response.end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  if (!route) return sendError(response, 503, 'starting', notReady, { ...CONSOLE_SECURITY_HEADERS, 'retry-after': '1' });
  const answer = await route(url);
  sendJson(response, answer.status, answer.body, CONSOLE_SECURITY_HEADERS);
}

/** `value` with every string in it (not the property names) passed through `redact`. */
function redactedDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactedDeep(v, redact)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactedDeep(v, redact)])) as T;
  return value;
}

/** The order id of a `/local/orders/<id>` path, percent-decoded; or the 400 naming `orderId` when it does not decode. */
export function orderIdOfPath(path: string): string | ConsoleAnswer {
  try {
    return decodeURIComponent(path.slice('/local/orders/'.length));
  } catch {
    return invalid('orderId', 'is not valid percent-encoding');
  }
}

export function invalid(field: string, message: string): ConsoleAnswer {
  return { status: 400, body: { error: { code: 'validation_error', message: `${field} ${message}`, details: [{ field, message }] } } };
}
