/**
 * `npm run bench:attribution`: what one conversion costs in DynamoDB for a returning user with 1, 10 and 100 linked
 * sessions, and what one capture costs. Starts its own DynamoDB Local, runs the real handlers over it, counts every
 * DynamoDB request through the SDK's middleware and asks each one for its consumed capacity
 * (`ReturnConsumedCapacity: TOTAL`, which DynamoDB Local answers with the units AWS would bill).
 *
 * Each user visits once every 6 hours: one new session per visit, a Kelkoo `kk` captured in it, and an identify of
 * the session with the user. The conversion then comes from a fresh session of the user; the newest `kk` must win.
 * Queue messages are kept in memory: SQS is not what is measured here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { apiGatewayEvent } from '../local/api-gateway-event';
import { StaticApiKeys } from '../lambdas/api/api-keys';
import { createApiHandlers } from '../lambdas/api/handlers';
import type { ApiHandler } from '../lambdas/api/http';
import { parseConfig } from '../lambdas/config/schema';
import type { DeliveryMessage } from '../lambdas/core/delivery';
import { documentClient } from '../lambdas/store/document-client';
import { clickSk, visitorPk } from '../lambdas/store/keys';
import { TrackingStore } from '../lambdas/store/tracking-store';
import { LOCAL_AWS, startDynamoDbLocal } from '../local/services';
import { createTable } from '../local/stack';
import exampleConfig from '../tracking.config.example.json';

const KEY = 'bench-key-0123456789';
const SESSION_COUNTS = [1, 10, 100];
const VISIT_EVERY_MS = 6 * 3600 * 1000;

interface Tally {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

const newTally = (): Tally => ({ requests: {}, readUnits: 0, writeUnits: 0 });

/** Counts every request and adds up the capacity DynamoDB reports for it. */
function watch(client: DynamoDBClient, tally: () => Tally): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const t = tally();
      t.requests[name] = (t.requests[name] ?? 0) + 1;
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        account(t, name, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
        return result;
      } catch (error) {
        // A failed condition still consumes write capacity; DynamoDB returns it on the error.
        account(t, name, (error as { $response?: unknown; ConsumedCapacity?: unknown }).ConsumedCapacity);
        throw error;
      }
    },
    { step: 'initialize', name: 'attributionCost' },
  );
}

function account(t: Tally, name: string, consumed: unknown): void {
  for (const entry of [consumed].flat() as Array<{ ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number } | undefined>) {
    if (!entry) continue;
    const reads = name === 'Query' || name === 'GetItem' || name === 'BatchGetItem';
    t.readUnits += entry.ReadCapacityUnits ?? (reads ? (entry.CapacityUnits ?? 0) : 0);
    t.writeUnits += entry.WriteCapacityUnits ?? (reads ? 0 : (entry.CapacityUnits ?? 0));
  }
}

function event(body: unknown): APIGatewayProxyEventV2 {
  return apiGatewayEvent({ method: 'POST', path: '/', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
}

const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

async function post(handler: ApiHandler, body: unknown): Promise<{ status: number; body: any }> {
  const result = await handler(event(body), context);
  return { status: result.statusCode ?? 0, body: result.body ? JSON.parse(result.body) : undefined };
}

const describe = (t: Tally) => {
  const total = Object.values(t.requests).reduce((a, b) => a + b, 0);
  const detail = Object.entries(t.requests)
    .map(([name, count]) => `${count} ${name}`)
    .join(', ');
  return `${total} requests (${detail}), ${t.readUnits} RCU, ${t.writeUnits} WCU`;
};

async function main(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  try {
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, ...LOCAL_AWS });
    let tally = newTally();
    watch(client, () => tally);
    const tableName = 'attribution-cost';
    await createTable(client, tableName);
    const config = parseConfig({ ...exampleConfig, local: undefined });
    let now = new Date('2026-11-21T10:00:00Z');
    const messages: DeliveryMessage[] = [];
    const handlers = createApiHandlers({
      config,
      store: new TrackingStore(documentClient(client), tableName),
      queues: { send: async (m) => void messages.push(m) },
      apiKeys: new StaticApiKeys([KEY]),
      logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
      clock: () => now,
    });
    const start = now.getTime();
    const lines: string[] = [];

    for (const sessions of SESSION_COUNTS) {
      const user = `user-${sessions}`;
      // Session ids in random order, so that neither key order nor insertion order favours the newest one.
      const ids = Array.from({ length: sessions }, (_, i) => ({ i, id: `s-${sessions}-${Math.random().toString(36).slice(2, 10)}` }));
      for (const { i, id } of ids) {
        now = new Date(start + i * VISIT_EVERY_MS);
        await post(handlers.capture, { visitor: { sessionId: id }, params: { kk: `kk-${sessions}-${i}` } });
        await post(handlers.identify, { visitor: { sessionId: id, userId: user } });
      }
      now = new Date(start + sessions * VISIT_EVERY_MS);
      messages.length = 0;
      tally = newTally();
      const answer = await post(handlers.conversion, {
        orderId: `order-${sessions}`,
        visitor: { userId: user, sessionId: `s-${sessions}-checkout` },
        currency: 'EUR',
        orderValue: 10,
        items: [{ productId: 'P1', name: 'Item', unitPrice: 10, quantity: 1 }],
      });
      const kelkoo = messages.find((m) => m.destination === 'kelkoo');
      const kk = (kelkoo?.context as { kelkooId?: string } | undefined)?.kelkooId;
      const newest = `kk-${sessions}-${sessions - 1}`;
      lines.push(
        `conversion, ${String(sessions).padStart(3)} linked session(s): ${describe(tally)}; answer ${answer.status}, ` +
          `Kelkoo ${kk === newest ? 'got the newest kk' : kk ? `got ${kk}, not the newest (${newest})` : 'skipped'}`,
      );
    }

    // One capture of two click ids under two visitor keys, then the same capture arriving again with an older time.
    now = new Date(start + 200 * VISIT_EVERY_MS);
    const capture = (occurredAt: string) => ({
      visitor: { sessionId: 'capture-s', userId: 'capture-u' },
      params: { kk: `kk-${occurredAt}`, gclid: `gclid-${occurredAt}` },
      occurredAt,
    });
    tally = newTally();
    await post(handlers.capture, capture(new Date(now.getTime() - 60_000).toISOString()));
    lines.push(`capture of 2 click ids under 2 visitor keys: ${describe(tally)}`);
    tally = newTally();
    await post(handlers.capture, capture(new Date(now.getTime() - 3_600_000).toISOString()));
    const lateCost = describe(tally);
    const kept = await documentClient(client).send(
      new GetCommand({ TableName: tableName, Key: { pk: visitorPk({ kind: 'sessionId', value: 'capture-s' }), sk: clickSk('kk') } }),
    );
    const newer = capture(new Date(now.getTime() - 60_000).toISOString()).params.kk;
    lines.push(
      `the same capture arriving late with an older occurredAt: ${lateCost}; ` +
        `${kept.Item?.value === newer ? 'the newer click stands' : `the older click replaced the newer (${String(kept.Item?.value)})`}`,
    );

    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
