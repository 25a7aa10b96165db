/**
 * `npx tsx bench/request-counts.ts`: what one capture and one conversion (three vendors queued) cost in requests,
 * capacity units and log bytes, with the senders' share per message at a batch of 1 and a batch of 10. Runs the
 * real handlers and senders over its own DynamoDB Local; SQS and the vendors are counted in memory (one SendMessage
 * per queued message, one call per delivery, answered 200).
 *
 * Log bytes are counted as deployed: everything the functions write to stdout (Powertools log lines and EMF metric
 * records), with a Lambda context shaped like a deployed one (function ARN, name, memory, an X-Ray trace id in the
 * environment as Lambda sets it), plus CloudWatch Logs' 26 bytes per event, plus one API Gateway access-log line per
 * API request in the stage's format. Lambda's own START/END/REPORT lines are not counted: the functions' system log
 * level is WARN (lib/constructs/tracking-function.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context, SQSRecord } from 'aws-lambda';
import { apiGatewayEvent } from '../local/api-gateway-event';
import { StaticApiKeys } from '../lambdas/api/api-keys';
import { createApiHandlers } from '../lambdas/api/handlers';
import type { ApiHandler } from '../lambdas/api/http';
import { queuedDestinationsOf } from '../lambdas/config/cancellation';
import { parseConfig } from '../lambdas/config/schema';
import type { DeliveryMessage } from '../lambdas/core/delivery';
import { CloudWatchDeliveryMetrics } from '../lambdas/observability/metrics';
import { createLogger } from '../lambdas/observability/logger';
import { createSenderHandler } from '../lambdas/sender/sender';
import { documentClient } from '../lambdas/store/document-client';
import { TrackingStore } from '../lambdas/store/tracking-store';
import { LOCAL_AWS, startDynamoDbLocal } from '../local/services';
import { createTable } from '../local/stack';
import { ACCESS_LOG_FIELDS } from '../lib/constructs/tracking-api';
import exampleConfig from '../tracking.config.example.json';
import { PRICES } from './prices';

const KEY = 'bench-key-0123456789';
const EVENT_OVERHEAD_BYTES = 26;
const SERVICE = 'conversion-tracking-prod';

interface Tally {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  logBytes: number;
  logLines: number;
}

const newTally = (): Tally => ({ requests: {}, readUnits: 0, writeUnits: 0, logBytes: 0, logLines: 0 });
let tally = newTally();

/** Counts every DynamoDB request and adds up the capacity DynamoDB Local reports for it (as AWS would bill it). */
function watch(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      tally.requests[name] = (tally.requests[name] ?? 0) + 1;
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        account(name, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
        return result;
      } catch (error) {
        account(name, (error as { ConsumedCapacity?: unknown }).ConsumedCapacity);
        throw error;
      }
    },
    { step: 'initialize', name: 'requestCounts' },
  );
}

function account(name: string, consumed: unknown): void {
  const reads = name === 'Query' || name === 'GetItem' || name === 'BatchGetItem';
  for (const entry of [consumed].flat() as Array<{ ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number } | undefined>) {
    if (!entry) continue;
    tally.readUnits += entry.ReadCapacityUnits ?? (reads ? (entry.CapacityUnits ?? 0) : 0);
    tally.writeUnits += entry.WriteCapacityUnits ?? (reads ? 0 : (entry.CapacityUnits ?? 0));
  }
}

/** Runs `work` with stdout counted (not printed): each line one CloudWatch Logs event. */
async function counted<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n').filter(Boolean)) {
      tally.logLines += 1;
      tally.logBytes += Buffer.byteLength(line) + EVENT_OVERHEAD_BYTES;
      if (process.env.SHOW_LOG_LINES) process.stderr.write(`${line}\n`);
    }
    return true;
  }) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write;
  }
}

/** A deployed-looking Lambda context: CDK's generated function names, 1,024 MB. */
function deployedContext(functionName: string, n: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `8f5e2c1a-3b4d-4e6f-9a0b-${String(n).padStart(12, '0')}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/21/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One access-log line of the stage's format with typical values: what API Gateway writes per request. */
function accessLogBytes(): number {
  const typical: Record<string, string> = {
    '$context.requestId': 'bZ4kqg3rIAMEVfA=',
    '$context.integration.requestId': '8f5e2c1a-3b4d-4e6f-9a0b-000000000001',
    '$context.apiId': 'a1b2c3d4e5',
    '$context.requestTimeEpoch': '1795774800123',
    '$context.httpMethod': 'POST',
    '$context.routeKey': 'POST /v1/conversions',
    '$context.path': '/v1/conversions',
    '$context.status': '202',
    '$context.protocol': 'HTTP/1.1',
    '$context.responseLength': '412',
    '$context.responseLatency': '48',
    '$context.integrationLatency': '45',
    '$context.integrationStatus': '200',
    '$context.integrationErrorMessage': '-',
    '$context.error.message': '-',
  };
  const line = JSON.stringify(ACCESS_LOG_FIELDS).replace(/\$context\.[A-Za-z.]+/g, (v) => typical[v] ?? '-');
  return Buffer.byteLength(line) + EVENT_OVERHEAD_BYTES;
}

const describe = (t: Tally, per = 1) => {
  const total = Object.values(t.requests).reduce((a, b) => a + b, 0) / per;
  const detail = Object.entries(t.requests)
    .map(([name, count]) => `${+(count / per).toFixed(2)} ${name}`)
    .join(', ');
  return `${+total.toFixed(2)} DynamoDB requests (${detail}), ${+(t.readUnits / per).toFixed(2)} RCU, ${+(t.writeUnits / per).toFixed(2)} WCU, ${+(t.logLines / per).toFixed(2)} log lines, ${Math.round(t.logBytes / per)} log bytes (${usd(t, per)})`;
};

/** What the DynamoDB units and the log bytes cost per million, at bench/prices.ts's list prices. */
function usd(t: Tally, per: number): string {
  const reads = ((t.readUnits / per) * PRICES.dynamoRead.usd).toFixed(3);
  const writes = ((t.writeUnits / per) * PRICES.dynamoWrite.usd).toFixed(3);
  const logs = (((t.logBytes / per) * 1e6 * PRICES.logsIngestion.usd) / 1024 ** 3).toFixed(3);
  return `per million: reads $${reads}, writes $${writes}, logs $${logs}`;
}

async function main(): Promise<void> {
  process.env._X_AMZN_TRACE_ID = 'Root=1-674f0a1b-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0;Lineage=1:a1b2c3d4:0';
  process.env.POWERTOOLS_DEV = '';
  const dynamo = await startDynamoDbLocal();
  try {
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, ...LOCAL_AWS });
    watch(client);
    const tableName = 'request-counts';
    await createTable(client, tableName);
    const config = parseConfig({ ...exampleConfig, local: undefined });
    const store = new TrackingStore(documentClient(client), tableName);
    let now = new Date('2026-11-21T10:00:00Z');
    const messages: DeliveryMessage[] = [];
    const apiLogger = createLogger(SERVICE);
    const handlers = createApiHandlers({
      config,
      store,
      queues: { send: async (m) => void messages.push(m) },
      apiKeys: new StaticApiKeys([KEY]),
      logger: apiLogger,
      metrics: new CloudWatchDeliveryMetrics(SERVICE),
      clock: () => now,
    });
    let invocation = 0;
    const post = async (handler: ApiHandler, name: string, body: unknown) => {
      const event: APIGatewayProxyEventV2 = apiGatewayEvent({
        method: 'POST',
        path: '/',
        requestId: `gw-${++invocation}`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify(body),
      });
      const context = deployedContext(name, invocation);
      apiLogger.addContext(context);
      const result = await handler(event, context);
      if ((result.statusCode ?? 0) >= 300) throw new Error(`${name} answered ${result.statusCode}: ${result.body}`);
    };
    const lines: string[] = [];
    const access = accessLogBytes();

    // Capture: one landing with two click ids (kk, qc_clickid) for one session.
    const capture = (i: number) => ({ visitor: { sessionId: `s-${i}` }, landingUrl: `https://shop.example/p/1.html?kk=kk-${i}&qc_clickid=QC-${i}` });
    await counted(async () => {
      await post(handlers.capture, 'ConversionTracking-prod-CaptureFunction-AbCdEfGh1234', capture(0));
    });
    tally = newTally();
    const captures = 20;
    await counted(async () => {
      for (let i = 1; i <= captures; i++) await post(handlers.capture, 'ConversionTracking-prod-CaptureFunction-AbCdEfGh1234', capture(i));
    });
    tally.logBytes += captures * access;
    tally.logLines += captures;
    lines.push(`capture (2 click ids, 1 visitor key): ${describe(tally, captures)} (access log ${access} B included)`);

    // Conversions: the visitor of each capture orders; kelkoo, klevu and qualityclick are queued.
    const conversion = (i: number) => ({
      orderId: `order-${i}`,
      visitor: { sessionId: `s-${i}` },
      currency: 'EUR',
      orderValue: 10,
      items: [{ productId: 'P1', name: 'Item', unitPrice: 10, quantity: 1 }],
      shopper: { ip: '203.0.113.7' },
    });
    now = new Date(now.getTime() + 60_000);
    tally = newTally();
    const orders = 10;
    await counted(async () => {
      for (let i = 1; i <= orders; i++) await post(handlers.conversion, 'ConversionTracking-prod-ConversionFunction-AbCdEfGh1234', conversion(i));
    });
    tally.logBytes += orders * access;
    tally.logLines += orders;
    const vendors = [...new Set(messages.map((m) => m.destination))];
    lines.push(`conversion (${vendors.join(', ')} queued): ${describe(tally, orders)}, ${messages.length / orders} SendMessage (access log included)`);

    // Senders: each vendor's messages at a batch of 1, then (fresh orders) at a batch of 10.
    const destinations = queuedDestinationsOf(config);
    const senders = new Map(
      vendors.map((id) => {
        const logger = createLogger(SERVICE);
        logger.appendKeys({ destination: id });
        const handle = createSenderHandler({
          destination: destinations.find((d) => d.id === id)!,
          delivery: config.delivery,
          store,
          retries: { retryIn: async () => undefined, sendAgain: async () => undefined },
          parking: { park: async () => undefined, deadLetter: async () => undefined },
          http: { send: async () => ({ status: 200, headers: {}, body: 'OK' }) },
          logger,
          claimLeaseSeconds: 90,
          metrics: new CloudWatchDeliveryMetrics(SERVICE),
          clock: () => now,
        });
        return [id, { logger, handle }] as const;
      }),
    );
    const record = (m: DeliveryMessage, i: number): SQSRecord =>
      ({
        messageId: `m-${i}`,
        receiptHandle: `r-${i}`,
        body: JSON.stringify(m),
        attributes: { ApproximateReceiveCount: '1' },
        messageAttributes: {},
        eventSource: 'aws:sqs',
      }) as unknown as SQSRecord;
    const runSenders = async (batch: number) => {
      tally = newTally();
      const sent = [...messages];
      messages.length = 0;
      await counted(async () => {
        for (const id of vendors) {
          const own = sent.filter((m) => m.destination === id);
          const { logger, handle } = senders.get(id)!;
          for (let i = 0; i < own.length; i += batch) {
            const context = deployedContext(`ConversionTracking-prod-${id}Sender-AbCdEfGh1234`, ++invocation);
            logger.addContext(context);
            const result = await handle({ Records: own.slice(i, i + batch).map(record) }, context);
            if (result.batchItemFailures.length) throw new Error(`${id}: ${result.batchItemFailures.length} failed`);
          }
        }
      });
      lines.push(`senders, batch of ${batch}, per message: ${describe(tally, sent.length)}`);
    };
    await runSenders(1);
    await counted(async () => {
      for (let i = orders + 1; i <= 2 * orders; i++) {
        await post(handlers.capture, 'ConversionTracking-prod-CaptureFunction-AbCdEfGh1234', capture(i));
        await post(handlers.conversion, 'ConversionTracking-prod-ConversionFunction-AbCdEfGh1234', conversion(i));
      }
    });
    await runSenders(10);

    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
