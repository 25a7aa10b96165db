/**
 * `npx tsx bench/replay-storage.ts`: what the replay record (`replay` on the order item, lambdas/store/replay-records.ts)
 * adds to every conversion – bytes of the order item, write units of its PutItem, read units of the reads of it – for a
 * typical order and the largest the API accepts. Runs the real capture and conversion handlers on its own DynamoDB
 * Local (queue messages are dropped: SQS is not what is measured), reads the order item back as DynamoDB stores it,
 * and sizes it by DynamoDB's rules; the units are those DynamoDB Local reports (`ReturnConsumedCapacity: TOTAL`).
 *
 * - typical: the shipped example reduced to Kelkoo, QUALITYCLICK and ClickMeter (the cost model of docs/PERFORMANCE.md),
 *   the Kelkoo document's five-item basket, a shopper IP and e-mail, the documents' click ids;
 * - worst: the five vendors and 20 postbacks in one exclusive group (SPEC's largest configuration), every click id at
 *   its 512-character limit in 3-byte characters, and a basket filling the 64 KiB request body with the longest names
 *   and ids, also in 3-byte characters.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { StaticApiKeys } from '../lambdas/api/api-keys';
import { createApiHandlers } from '../lambdas/api/handlers';
import { parseConfig } from '../lambdas/config/schema';
import { MAX_BODY_BYTES } from '../lambdas/contract/shape';
import type { DeliveryMessage } from '../lambdas/core/delivery';
import { toOrder, conversionSchema } from '../lambdas/api/conversion';
import { documentClient } from '../lambdas/store/document-client';
import { replayRecordOf } from '../lambdas/store/replay-records';
import { TrackingStore } from '../lambdas/store/tracking-store';
import { fixtures } from '../lambdas/vendors/kelkoo/fixtures';
import { apiGatewayEvent } from '../local/api-gateway-event';
import { LOCAL_AWS, startDynamoDbLocal } from '../local/services';
import { createTable } from '../local/stack';
import exampleConfig from '../tracking.config.example.json';
import { dynamoItemBytes } from './measured-requests';

const KEY = 'bench-key-0123456789';
const TABLE = 'replay-storage';

interface Figures {
  name: string;
  bodyBytes: number;
  destinations: number;
  queued: number;
  before: number;
  after: number;
  writeBefore: number;
  writeAfter: number;
  readBefore: number;
  readAfter: number;
  buildMicros: number;
}

async function main(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, ...LOCAL_AWS });
  let units = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      units += (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'consumedCapacity' },
  );
  try {
    await createTable(client, TABLE);
    const store = new TrackingStore(documentClient(client), TABLE);
    const figures = [await measure('typical', typical(), store, client, () => units, () => (units = 0)), await measure('worst', worst(), store, client, () => units, () => (units = 0))];
    console.log('| order | request body | destinations (queued) | order item before | with the replay record | added | PutItem WRU before → after | strongly consistent read RRU before → after | building the record |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const f of figures) {
      console.log(
        `| ${f.name} | ${f.bodyBytes.toLocaleString('en')} B | ${f.destinations} (${f.queued}) | ${f.before.toLocaleString('en')} B | ${f.after.toLocaleString('en')} B | ` +
          `${(f.after - f.before).toLocaleString('en')} B | ${f.writeBefore} → ${f.writeAfter} | ${f.readBefore} → ${f.readAfter} | ${f.buildMicros < 1000 ? `${Math.round(f.buildMicros)} µs` : `${(f.buildMicros / 1000).toFixed(1)} ms`} |`,
      );
    }
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

interface Scenario {
  config: unknown;
  clicks: Record<string, string>;
  identifiers?: Record<string, Record<string, string>>;
  body: Record<string, unknown>;
}

async function measure(name: string, scenario: Scenario, store: TrackingStore, client: DynamoDBClient, consumed: () => number, reset: () => void): Promise<Figures> {
  const config = parseConfig(scenario.config);
  const messages: DeliveryMessage[] = [];
  const logger = new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
  const handlers = createApiHandlers({ config, store, queues: { send: async (m) => void messages.push(m) }, apiKeys: new StaticApiKeys([KEY]), logger });
  const post = async (path: string, body: unknown) => {
    const event = apiGatewayEvent({ method: 'POST', path, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body), requestId: 'bench' });
    const handler = path === '/v1/clicks' ? handlers.capture : handlers.conversion;
    const result = await handler(event, { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as never);
    if ((result.statusCode ?? 200) >= 300) throw new Error(`${path}: HTTP ${result.statusCode} ${result.body}`);
  };
  const visitor = { sessionId: `s-${name}` };
  await post('/v1/clicks', { visitor, params: scenario.clicks, ...(scenario.identifiers ? { identifiers: scenario.identifiers } : {}) });
  const body: Record<string, unknown> = { ...scenario.body, visitor };
  const bodyBytes = Buffer.byteLength(JSON.stringify(body));
  if (bodyBytes > MAX_BODY_BYTES) throw new Error(`${name}: the body is ${bodyBytes} bytes, above the API's ${MAX_BODY_BYTES}`);
  await post('/v1/conversions', body);

  const key = { pk: { S: `ORDER#${body.orderId as string}` }, sk: { S: 'ORDER' } };
  const stored = (await client.send(new GetItemCommand({ TableName: TABLE, Key: key }))).Item!;
  const { replay, ...without } = stored;
  if (!replay) throw new Error(`${name}: no replay record on the order item`);
  // The same item written and read again with and without the record: the units DynamoDB reports for each.
  const writeAndRead = async (item: Record<string, AttributeValue>, pk: string) => {
    reset();
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...item, pk: { S: pk } } }));
    const write = consumed();
    reset();
    await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: 'ORDER' } }, ConsistentRead: true }));
    return { write, read: consumed() };
  };
  const beforeUnits = await writeAndRead(without, `ORDER#${name}-without`);
  const afterUnits = await writeAndRead(stored, `ORDER#${name}-with`);

  // The conversion's added CPU: building the record from the order and its messages (median of 200 calls).
  const order = toOrder(conversionSchema.parse(body), new Date());
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = process.hrtime.bigint();
    replayRecordOf(order, messages);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return {
    name,
    bodyBytes,
    destinations: parseConfigDestinations(scenario.config),
    queued: messages.length,
    before: dynamoItemBytes(without),
    after: dynamoItemBytes(stored),
    writeBefore: beforeUnits.write,
    writeAfter: afterUnits.write,
    readBefore: beforeUnits.read,
    readAfter: afterUnits.read,
    buildMicros: times[times.length >> 1]!,
  };
}

function parseConfigDestinations(config: unknown): number {
  const c = config as { vendors?: object; postbacks?: object };
  return Object.keys(c.vendors ?? {}).length + Object.keys(c.postbacks ?? {}).length;
}

function typical(): Scenario {
  const { kelkoo, qualityclick, clickmeter } = exampleConfig.vendors;
  const order = fixtures.requests[0]!.input.order as { items: Array<Record<string, unknown>> };
  return {
    config: { vendors: { kelkoo, qualityclick, clickmeter } },
    clicks: { kk: 'a4csscc-1781b717420-34cf3', qc_clickid: 'QC423840809685489623456289367', s1: 'A531F18FCECC4DEB9B2C3994556FBF41' },
    body: {
      orderId: 'CMD0572084',
      currency: 'EUR',
      orderValue: 609.07,
      netValue: 503.36,
      country: 'fr',
      returningUser: true,
      items: order.items.map(({ productId, name, unitPrice, quantity }) => ({ productId, name, unitPrice, quantity })),
      shopper: { ip: '203.0.113.7', email: 'jane.doe@shop.example' },
    },
  };
}

function worst(): Scenario {
  const wide = (n: number) => '€'.repeat(n);
  const postbacks = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => {
      const n = String(i + 1).padStart(2, '0');
      return [`net${n}`, { clickIdParam: `c${n}`, url: `https://net${n}.example/sale?ref={order.orderId}&cks={clickId}&ch={channel}` }];
    }),
  );
  const members = Object.keys(postbacks);
  const clicks: Record<string, string> = Object.fromEntries(['kk', 'gclid', 'msclkid', 'qc_clickid', 's1', 'reaid', 'xuid', ...members.map((_, i) => `c${String(i + 1).padStart(2, '0')}`)].map((p) => [p, wide(512)]));
  const body: Record<string, unknown> = {
    orderId: wide(128),
    currency: 'EUR',
    orderValue: 999_999.99,
    netValue: 888_888.88,
    country: 'fr',
    returningUser: true,
    items: [],
    shopper: { ip: '2001:db8::1', email: `${'a'.repeat(64)}@${'b'.repeat(180)}.example`, country: 'FR', city: wide(128) },
  };
  const items = body.items as unknown[];
  for (let i = 0; ; i++) {
    const item = { productId: `${String(i).padStart(4, '0')}${wide(252)}`, name: wide(512), unitPrice: 123_456.78, quantity: 999_999, groupId: wide(256), variantId: wide(256) };
    items.push(item);
    if (Buffer.byteLength(JSON.stringify({ ...body, visitor: { sessionId: 's-worst' } })) > MAX_BODY_BYTES) {
      items.pop();
      break;
    }
  }
  return {
    config: {
      vendors: {
        ...exampleConfig.vendors,
        kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' },
      },
      postbacks,
      attribution: { exclusive: { affiliates: { members, onLost: Object.fromEntries(members.map((m) => [m, 'send'])) } } },
    },
    clicks,
    identifiers: { raptor: { coid: wide(512), sid: wide(512), ruid: wide(512) }, klevu: { uuid: wide(512) } },
    body,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
