/**
 * `npm run bench:console [-- --orders N --failed M --loads K]`: how long the deployed console's page takes to open
 * for a shop of N orders a day (default 100,000) of which M are unsettled (default 2,000, 2 %), and what it reads.
 *
 * A local stack plays the deployed one (as `npm run screenshot -- --deployed` does): one order sent to every vendor
 * and one QUALITYCLICK refuses are made through its API; their stored items are then copied under new order ids –
 * the sent one N times, the failed one M times with its `unsettledAt` spread over the last 24 hours – so that the
 * table holds a day of a large shop. The console is reached through the stand-ins of CloudFormation, Secrets Manager
 * and CloudWatch (scripts/console-stand-in.ts) as it would reach AWS, and the page's first load is timed: the four
 * routes app.js asks for at once (`/local/info`, `/local/orders`, `/local/queues`, `/local/metrics?days=7`), then
 * one order opened. Every AWS request of a load is counted by service and action: none may be a Scan.
 *
 * Figures are the local services' on this machine; on AWS each request adds the round trip from the operator's
 * machine to the region, and the requests of a load go out in parallel.
 */
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EXAMPLE_CONFIG_PATH } from '../lambdas/config/load';
import { UNSETTLED_INDEX } from '../lambdas/contract/shape';
import { documentClient } from '../lambdas/store/document-client';
import { orderPk } from '../lambdas/store/keys';
import { freePort, LOCAL_AWS } from '../local/services';
import { startLocalStack } from '../local/stack';
import { startDeployedConsole } from '../scripts/console';
import { behaviour, order, standInOutputs } from '../scripts/console-orders';
import { startConsoleStandIn } from '../scripts/console-stand-in';
import { median } from './stats';

const log = (line: string) => process.stderr.write(`${line}\n`);

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a positive integer`);
  return value;
}

type Item = Record<string, unknown>;

/** The items of `template`'s order partition under `orderId`: every occurrence of the template's id replaced. */
function copyOf(items: Item[], template: string, orderId: string): Item[] {
  return items.map((item) => JSON.parse(JSON.stringify(item).split(template).join(orderId)) as Item);
}

async function main(): Promise<void> {
  const orders = option('orders', 100_000);
  const failed = option('failed', 2_000);
  const loads = option('loads', 7);
  const stage = 'prod';
  const stackName = `ConversionTracking-${stage}`;
  const region = 'eu-west-1';
  const secretArn = `arn:aws:secretsmanager:${region}:000000000000:secret:ApiKeys3BB3983D-a1b2c3d4e5f6-AbCdEf`;
  const stack = await startLocalStack({ configPath: EXAMPLE_CONFIG_PATH, port: await freePort(), quiet: true });
  const saved = { ...process.env };
  try {
    log('Two orders through the API: one sent to every vendor, one QUALITYCLICK refuses');
    const sentTemplate = await order(stack, 'a1b2c3');
    await behaviour(stack, 'qualityclick', { status: 400, body: 'Fehler: unbekannte cpid' });
    const failedTemplate = await order(stack, 'd4e5f6');
    await behaviour(stack, 'qualityclick', null);

    const client = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, ...LOCAL_AWS });
    const db = documentClient(client);
    const partition = async (orderId: string) =>
      ((await db.send(new QueryCommand({ TableName: stack.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': orderPk(orderId) } }))).Items ?? []) as Item[];
    const sentItems = await partition(sentTemplate);
    const failedItems = await partition(failedTemplate);

    // A day of orders: `orders` sent, `failed` of them refused by QUALITYCLICK, their index entries over 24 hours.
    const now = Date.now();
    const copies = function* (): Generator<Item> {
      for (let i = 0; i < orders - failed; i++) yield* copyOf(sentItems, sentTemplate, `BENCH-S${i}`);
      for (let i = 0; i < failed; i++) {
        const at = new Date(now - Math.floor((i / failed) * 86_400_000)).toISOString();
        for (const item of copyOf(failedItems, failedTemplate, `BENCH-F${i}`)) {
          yield UNSETTLED_INDEX.sortKey in item ? { ...item, [UNSETTLED_INDEX.sortKey]: at } : item;
        }
      }
    };
    const total = (orders - failed) * sentItems.length + failed * failedItems.length;
    log(`Writing ${total.toLocaleString('en')} items (${orders.toLocaleString('en')} orders, ${failed.toLocaleString('en')} unsettled)…`);
    const seedStarted = Date.now();
    const source = copies();
    let written = 0;
    const writer = async () => {
      for (;;) {
        const batch: Item[] = [];
        for (let next = source.next(); !next.done; next = batch.length < 24 ? source.next() : { done: true, value: undefined }) batch.push(next.value);
        if (!batch.length) return;
        let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length) {
          const out = await db.send(new BatchWriteCommand({ RequestItems: { [stack.tableName]: pending as never } }));
          pending = (out.UnprocessedItems?.[stack.tableName] as Record<string, unknown>[] | undefined) ?? [];
        }
        written += batch.length;
        if (written % 100_000 < batch.length) log(`  ${written.toLocaleString('en')} items, ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    log(`  done in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);

    const calls: string[] = [];
    const standIn = await startConsoleStandIn({
      dynamodb: stack.dynamoEndpoint,
      sqs: stack.sqsEndpoint,
      secrets: { [secretArn]: JSON.stringify({ primary: stack.apiKeys[0] }) },
      stacks: (queueUrl) => ({ [stackName]: standInOutputs(stack, stage, secretArn, queueUrl) }),
      metric: () => 1,
      observe: (service, _region, headers, body) => {
        const target = headers['x-amz-target'];
        const action = typeof target === 'string' ? target.split('.').pop() : /Action=([A-Za-z]+)/.exec(body.toString('utf8'))?.[1];
        calls.push(`${service} ${action ?? '?'}`);
      },
    });
    Object.assign(process.env, { AWS_ENDPOINT_URL: standIn.endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: region });
    delete process.env.AWS_PROFILE;
    const running = await startDeployedConsole({ stackName, stage, region, port: 0, config: stack.config });
    try {
      const get = async (path: string) => {
        const response = await fetch(new URL(path, running.url));
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
        return (await response.json()) as Record<string, unknown>;
      };
      const pageLoads: number[] = [];
      const orderOpens: number[] = [];
      let perLoad: Record<string, number> = {};
      let listed = 0;
      for (let i = 0; i < loads; i++) {
        calls.length = 0;
        const started = performance.now();
        const [, list] = await Promise.all([get('/local/info'), get('/local/orders'), get('/local/queues'), get('/local/metrics?days=7')]);
        pageLoads.push(performance.now() - started);
        perLoad = {};
        for (const call of calls) perLoad[call] = (perLoad[call] ?? 0) + 1;
        const rows = list.orders as Array<{ orderId: string }>;
        listed = rows.length;
        const opened = performance.now();
        await get(`/local/orders/${encodeURIComponent(rows[i % rows.length]!.orderId)}`);
        orderOpens.push(performance.now() - opened);
      }
      const scans = Object.keys(perLoad).filter((call) => /Scan/.test(call));
      const lines = [
        `Deployed console, a day of ${orders.toLocaleString('en')} orders (${failed.toLocaleString('en')} unsettled), ${loads} page loads:`,
        `  page load (info, orders, queues, metrics at once): median ${median(pageLoads).toFixed(0)} ms, slowest ${Math.max(...pageLoads).toFixed(0)} ms; ${listed} orders listed`,
        `  one order opened: median ${median(orderOpens).toFixed(0)} ms, slowest ${Math.max(...orderOpens).toFixed(0)} ms`,
        `  AWS requests of one page load: ${Object.entries(perLoad).sort().map(([call, n]) => `${call} ×${n}`).join(', ')}`,
        `  Scans: ${scans.length ? scans.join(', ') : 'none'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      if (scans.length) process.exitCode = 1;
    } finally {
      await running.stop();
      await standIn.stop();
    }
    client.destroy();
  } finally {
    process.env = saved;
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
