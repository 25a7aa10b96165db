/**
 * The console against a deployed stack (`npm run console -- --deployed`, scripts/console.ts): the same page as the
 * local console (index.html, app.js, style.css), served on 127.0.0.1 of the operator's machine, its data read from the
 * deployed stack with the operator's own AWS credentials. Nothing is added to the deployed API and nothing is written:
 * every route is a GET answered from reads alone.
 *
 * | route | answer | read with |
 * | --- | --- | --- |
 * | `GET /local/info` | the stack, stage and region (the page's banner), the destinations, a "try it" sample (shown as a dry run, never sent) | – |
 * | `GET /local/orders[?limit=50][&cursor=…]` | the orders of the unsettled deliveries (retrying, failed, dead-lettered), newest first, one page; `cursor` for the next | DynamoDB Query on the unsettled index, then a Query per order |
 * | `GET /local/orders/{orderId}` | one order, any status: its deliveries, their history with each request line decoded, and the status route's answer | DynamoDB Query of the order's partition; GET /v1/conversions/{orderId} |
 * | `GET /local/visitors?sessionId=…` | the key's click ids and links, and the keys they reach | DynamoDB Query / GetItem |
 * | `GET /local/queues` | per destination: messages waiting, in flight, and in its dead-letter queue | SQS GetQueueAttributes |
 * | `GET /local/metrics[?days=7]` | per destination and day, what `npm run report` shows | CloudWatch GetMetricData |
 *
 * Why the list starts from the unsettled index: the table keeps no time-ordered list of every order (one would cost a
 * write per conversion), and a Scan of a shop's table would read every click, link and order it holds. The unsettled
 * index is time-ordered and holds only what needs attention; a sent order is opened by its id. Each page costs the
 * same whatever the shop's volume: one Query per unsettled status and one per order shown.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { catalogueOf, destinationsOf } from '../../lambdas/config/destinations';
import type { TrackingConfig } from '../../lambdas/config/schema';
import type { AttemptRecord } from '../../lambdas/core/delivery';
import { listUnsettled, UNSETTLED_STATUSES, UnsettledCursor, unsettledCursorProblem } from '../../lambdas/store/unsettled';
import { vendorAdapters } from '../../lambdas/vendors/registry';
import type { VendorAdapter } from '../../lambdas/vendors/types';
import { decodedQuery } from '../sandbox';
import { decodeRequest } from './decode';
import { ConsoleReader, DeliveryRow, OrderRow } from './reader';
import { tryItSample } from './sample';
import { ConsoleAnswer, invalid, orderIdOfPath, serveConsole, visitorsAnswer } from './server';

/** Where the console reads from, and what it says about it. */
export interface DeployedStackView {
  stackName: string;
  stage: string;
  region: string;
  /** The API's base URL: the dry run shows the requests it would send there. */
  apiUrl: string;
}

/** Per destination and day, what `npm run report` reads from CloudWatch. */
export interface MetricsRow {
  day: string;
  vendor: string;
  queued: number;
  sent: number;
  skipped: number | Record<string, number>;
  failed: number;
  deadLettered: number;
  cancelled: number;
  pending: number;
}

export interface DeployedSources {
  stack: DeployedStackView;
  db: DynamoDBDocumentClient;
  tableName: string;
  sqs: SQSClient;
  /** Per destination id: its queue and dead-letter queue URLs (the stack's outputs). */
  queues: ReadonlyMap<string, { queue: string; deadLetterQueue?: string }>;
  /** GET /v1/conversions/{orderId} of the deployed API, with its key: the state as the API presents it. */
  statusRoute(orderId: string): Promise<{ status: number; body: unknown }>;
  /** The delivery counts the functions publish, from `since` to `now` (scripts/report.ts). */
  metrics(since: Date, now: Date): Promise<MetricsRow[]>;
  /** The configuration the stack was deployed from, when at hand: names, cancellation calls, the sample's click ids. */
  config?: TrackingConfig;
  now?: () => Date;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
const MAX_METRIC_DAYS = 15;
/** How often the page asks again: every read is paid for, and the deployed stack changes at its own pace. */
const POLL_MS = 10_000;

/** A cursor as the page passes it back: base64url of the listing's own cursor. */
const encodeCursor = (cursor: UnsettledCursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * An attempt of the history as a call the page renders like a sandbox call: its request line (as kept: redacted,
 * cut to its bound) decoded with the vendor's own decoder, and the answer's status.
 */
export function historyCall(attempt: AttemptRecord, adapter: Pick<VendorAdapter<any, any>, 'capabilities'> | undefined) {
  const space = attempt.request.indexOf(' ');
  const method = space < 0 ? '' : attempt.request.slice(0, space);
  const url = space < 0 ? attempt.request : attempt.request.slice(space + 1);
  const query = decodedQuery(url);
  const decoded: Record<string, unknown> = adapter ? decodeRequest(adapter, { query, body: '' }) : {};
  // A parameter the line ends in, and that does not decode: the history cut it (a basket longer than it keeps whole).
  const last = url.slice(url.lastIndexOf('&') + 1 || url.indexOf('?') + 1).split('=')[0];
  const part = last === undefined ? undefined : decoded[last];
  if (part && typeof part === 'object' && 'error' in part) {
    decoded[last!] = { error: `${last} is cut: the attempt history keeps the first ${Buffer.byteLength(attempt.request)} bytes of this request line` };
  }
  return {
    source: 'history' as const,
    receivedAt: attempt.at,
    method,
    vendorUrl: url,
    status: attempt.httpStatus ?? 'no answer',
    outcome: attempt.outcome,
    query,
    headers: {},
    decoded,
  };
}

export class DeployedConsole {
  private readonly reader: ConsoleReader;
  private readonly names = new Map<string, string>();

  constructor(private readonly sources: DeployedSources) {
    this.reader = new ConsoleReader(sources.db, sources.tableName, sources.config ?? {});
    for (const destination of sources.config ? destinationsOf(sources.config) : []) this.names.set(destination.id, destination.adapter.displayName);
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): Promise<void> =>
    serveConsole(request, response, (url) => this.route(url), 'The deployed console is starting');

  private adapterOf(destination: string): VendorAdapter<any, any> | undefined {
    const configured = this.sources.config && destinationsOf(this.sources.config).find((d) => d.id === destination);
    return configured?.adapter ?? (vendorAdapters as Record<string, VendorAdapter<any, any> | undefined>)[destination];
  }

  private async route(url: URL): Promise<ConsoleAnswer> {
    const path = url.pathname;
    try {
      if (path === '/local/info') return { status: 200, body: this.info() };
      if (path === '/local/orders') return await this.orders(url);
      if (path.startsWith('/local/orders/')) {
        const orderId = orderIdOfPath(path);
        if (typeof orderId !== 'string') return orderId;
        if (!orderId) return invalid('orderId', 'is empty');
        return await this.order(orderId);
      }
      if (path === '/local/visitors') return await visitorsAnswer(url, this.reader);
      if (path === '/local/queues') return { status: 200, body: { queues: await this.queueDepths() } };
      if (path === '/local/metrics') return await this.metrics(url);
    } catch (error) {
      // An AWS refusal (missing permission, expired session) shown on the page as it is: the operator can act on it.
      const { name, message } = error as Error;
      return { status: 502, body: { error: { code: 'aws_error', message: `${name}: ${message}` } } };
    }
    return { status: 404, body: { error: { code: 'route_not_found', message: `No console route ${path}` } } };
  }

  private info() {
    const { stack } = this.sources;
    const ids = [...this.sources.queues.keys()];
    const destinations = this.sources.config ? destinationsOf(this.sources.config).filter((d) => ids.includes(d.id)) : [];
    return {
      mode: 'deployed',
      deployed: stack,
      pollMs: POLL_MS,
      destinations: ids.map((id) => ({ id, vendor: this.adapterOf(id)?.id ?? id, name: this.names.get(id) ?? this.adapterOf(id)?.displayName ?? id })),
      sample: tryItSample(catalogueOf(destinations)),
    };
  }

  private async orders(url: URL): Promise<ConsoleAnswer> {
    const limit = Number(url.searchParams.get('limit') ?? DEFAULT_PAGE);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) return invalid('limit', `must be an integer from 1 to ${MAX_PAGE}`);
    const query = { statuses: UNSETTLED_STATUSES };
    let cursor: UnsettledCursor | undefined;
    const given = url.searchParams.get('cursor');
    if (given !== null) {
      const decoded = decodeCursor(given);
      const problem = unsettledCursorProblem(decoded, query);
      if (problem) return invalid('cursor', problem);
      cursor = decoded as UnsettledCursor;
    }
    const page = await listUnsettled(this.sources.db, this.sources.tableName, { ...query, limit, ...(cursor ? { cursor } : {}) });
    const ids = [...new Set(page.deliveries.map((d) => d.orderId))];
    const rows = (await Promise.all(ids.map((id) => this.reader.order(id)))).filter((row): row is OrderRow => row !== undefined);
    return {
      status: 200,
      body: {
        source: 'unsettled',
        orders: rows,
        ...(page.cursor ? { cursor: encodeCursor(page.cursor) } : {}),
      },
    };
  }

  private async order(orderId: string): Promise<ConsoleAnswer> {
    const [row, presented] = await Promise.all([
      this.reader.order(orderId),
      this.sources.statusRoute(orderId).catch((error: unknown) => ({ status: 0, body: { error: { message: (error as Error).message } } })),
    ]);
    if (!row) return { status: 404, body: { error: { code: 'not_found', message: `No order ${JSON.stringify(orderId)} in ${this.sources.stack.stackName}` } } };
    const withCalls = (destination: string, delivery: Omit<DeliveryRow, 'vendor' | 'cancellation'>) => {
      const adapter = this.adapterOf(destination);
      return { calls: ((delivery.history ?? []) as unknown as AttemptRecord[]).map((attempt) => historyCall(attempt, adapter)) };
    };
    return {
      status: 200,
      body: {
        orderId: row.orderId,
        receivedAt: row.receivedAt,
        ...(row.cancellation ? { cancellation: row.cancellation } : {}),
        ...(row.groups ? { groups: row.groups } : {}),
        visitor: [],
        presented: presented.status === 200 ? presented.body : { error: `GET /v1/conversions answered ${presented.status}: ${JSON.stringify(presented.body)}` },
        deliveries: row.deliveries.map((delivery) => ({
          ...delivery,
          name: this.names.get(delivery.vendor) ?? this.adapterOf(delivery.vendor)?.displayName ?? delivery.vendor,
          ...withCalls(delivery.vendor, delivery),
          ...(typeof delivery.cancellation === 'object'
            ? { cancellation: { ...delivery.cancellation, ...withCalls(`${delivery.vendor}-cancel`, delivery.cancellation) } }
            : {}),
        })),
      },
    };
  }

  private async queueDepths() {
    const depth = async (queueUrl: string | undefined) => {
      if (!queueUrl) return undefined;
      const { Attributes } = await this.sources.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return { waiting: Number(Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
    };
    return Promise.all(
      [...this.sources.queues].map(async ([destination, urls]) => {
        const [queue, deadLetters] = await Promise.all([depth(urls.queue), depth(urls.deadLetterQueue)]);
        return { destination, waiting: queue?.waiting ?? 0, inFlight: queue?.inFlight ?? 0, deadLetters: deadLetters ? deadLetters.waiting + deadLetters.inFlight : null };
      }),
    );
  }

  private async metrics(url: URL): Promise<ConsoleAnswer> {
    const days = Number(url.searchParams.get('days') ?? 7);
    if (!Number.isInteger(days) || days < 1 || days > MAX_METRIC_DAYS) return invalid('days', `must be an integer from 1 to ${MAX_METRIC_DAYS}`);
    const now = this.sources.now?.() ?? new Date();
    const rows = await this.sources.metrics(new Date(now.getTime() - days * 86_400_000), now);
    return { status: 200, body: { days, rows } };
  }
}
