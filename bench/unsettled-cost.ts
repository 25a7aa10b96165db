/**
 * `npx tsx bench/unsettled-cost.ts`: what the attempt history and the sparse index of unsettled deliveries add to
 * DynamoDB's bill, measured with DynamoDB Local's ConsumedCapacity (ReturnConsumedCapacity = INDEXES on every call
 * the store makes). The delivery calls are those the sender makes (claim, record), for a Kelkoo sale with the
 * document's five-item basket – its request line is longer than the 256 bytes kept – and a 256-byte answer, the
 * largest history entry there is.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AttemptRecord } from '../lambdas/core/delivery';
import { documentClient } from '../lambdas/store/document-client';
import { AttemptTrace, withAttempt } from '../lambdas/sender/history';
import { TrackingStore } from '../lambdas/store/tracking-store';
import { fixtures } from '../lambdas/vendors/kelkoo/fixtures';
import { LOCAL_AWS, startDynamoDbLocal } from '../local/services';
import { createTable } from '../local/stack';
import { PRICES } from './prices';

interface Units {
  table: number;
  index: number;
}

async function main(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, ...LOCAL_AWS });
  let units: Units = { table: 0, index: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { Table?: { CapacityUnits?: number }; GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> } })
        .ConsumedCapacity;
      units.table += consumed?.Table?.CapacityUnits ?? 0;
      for (const gsi of Object.values(consumed?.GlobalSecondaryIndexes ?? {})) units.index += gsi.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'consumedCapacity' },
  );
  const tableName = 'unsettled-cost';
  await createTable(client, tableName);
  const withIndex = new TrackingStore(documentClient(client), tableName);
  // The table as it was before the index: same keys, no secondary index.
  await client.send(
    new CreateTableCommand({
      TableName: 'without-index',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  const withoutIndex = new TrackingStore(documentClient(client), 'without-index');
  let store = withIndex;

  const example = fixtures.requests[0]!;
  const url = (example.expected as { requests: Array<{ url: string }> }).requests[0]!.url;
  const at = new Date('2026-11-29T10:00:00.000Z');
  const attempt = (status: number, outcome: AttemptRecord['outcome']): AttemptRecord => {
    const trace = new AttemptTrace({ shopper: { ip: '203.0.113.7' } }, () => at, () => 0);
    trace.started({ key: 'k', method: 'GET', url, headers: {} });
    trace.answered({ status, headers: {}, body: 'x'.repeat(300) });
    return trace.record(outcome === 'sent' ? { kind: 'sent', vendorStatus: status } : { kind: outcome, error: `HTTP ${status}` } as never)!;
  };
  const measure = async (name: string, steps: (orderId: string) => Promise<void>): Promise<Units> => {
    store = name.includes('(before)') ? withoutIndex : withIndex;
    units = { table: 0, index: 0 };
    await steps(`CMD-${Math.random()}`);
    return units;
  };
  const expiresAt = 2_000_000_000;
  const claim = async (orderId: string) => {
    const c = await store.claimDelivery(orderId, 'kelkoo', at, 90, expiresAt);
    return c.kind === 'claimed' ? c.history : [];
  };

  const scenarios: Record<string, (orderId: string) => Promise<void>> = {
    'sent at once, without history or index (before)': async (id) => {
      await claim(id);
      await store.recordDelivery(id, 'kelkoo', { status: 'sent', vendorStatus: 200, at });
    },
    'sent at once, with history': async (id) => {
      const history = await claim(id);
      await store.recordDelivery(id, 'kelkoo', { status: 'sent', vendorStatus: 200, at, history: withAttempt(history, attempt(200, 'sent')) });
    },
    'one retry, then sent, without history or index (before)': async (id) => {
      await claim(id);
      await store.recordDelivery(id, 'kelkoo', { status: 'retrying', error: 'HTTP 503', completedRequests: [], at });
      await claim(id);
      await store.recordDelivery(id, 'kelkoo', { status: 'sent', vendorStatus: 200, at });
    },
    'one retry, then sent, with history': async (id) => {
      let history = await claim(id);
      await store.recordDelivery(id, 'kelkoo', { status: 'retrying', error: 'HTTP 503', completedRequests: [], at, history: withAttempt(history, attempt(503, 'retry')) });
      history = await claim(id);
      await store.recordDelivery(id, 'kelkoo', { status: 'sent', vendorStatus: 200, at: new Date(at.getTime() + 60_000), history: withAttempt(history, attempt(200, 'sent')) });
    },
    'refused, parked, redriven, sent, with history': async (id) => {
      let history = await claim(id);
      await store.recordDelivery(id, 'kelkoo', { status: 'failed', error: 'HTTP 400', completedRequests: [], at, history: withAttempt(history, attempt(400, 'failed')) });
      await store.reopenFailed(id, 'kelkoo', new Date(at.getTime() + 3_600_000));
      history = await claim(id);
      await store.recordDelivery(id, 'kelkoo', { status: 'sent', vendorStatus: 200, at: new Date(at.getTime() + 3_700_000), history: withAttempt(history, attempt(200, 'sent')) });
    },
    'five retries, then sent, with history (the largest record)': async (id) => {
      let history: AttemptRecord[] | undefined = [];
      for (let i = 0; i < 5; i++) {
        history = await claim(id);
        await store.recordDelivery(id, 'kelkoo', { status: 'retrying', error: 'HTTP 503', completedRequests: [], at: new Date(at.getTime() + i * 60_000), history: withAttempt(history, attempt(503, 'retry')) });
      }
      history = await claim(id);
      await store.recordDelivery(id, 'kelkoo', { status: 'sent', vendorStatus: 200, at: new Date(at.getTime() + 600_000), history: withAttempt(history, attempt(200, 'sent')) });
    },
  };
  const price = Object.values(PRICES).find((p) => /write request units/.test(p.what))!;
  console.log(`DynamoDB on-demand: $${price.usd} ${price.unit}`);
  console.log('scenario | table WRU | index WRU | USD per million deliveries');
  for (const [name, steps] of Object.entries(scenarios)) {
    const u = await measure(name, steps);
    console.log(`${name} | ${u.table} | ${u.index} | ${((u.table + u.index) * price.usd).toFixed(3)}`);
  }
  client.destroy();
  await dynamo.stop();
}

void main();
