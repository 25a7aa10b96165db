/**
 * A visitor key shared by many visitors (a userId of "guest") links to every session that logged in with it. A
 * conversion follows a key's links a level at a time, each partition every page, within a time budget: what the
 * budget leaves unread is left out of the attribution with a reason on the order, a warning and a metric – the
 * conversion never runs into the API's timeout. The clock that measures the budget is the test's: each reading
 * moves it on a fixed step, so the budget is spent after a known number of reads, without 100,000 items or any wait.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { RecordingDeliveryMetrics } from '../../lambdas/observability/metrics';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { documentClient } from '../../lambdas/store/document-client';
import { TRAVERSAL_BUDGET_MS, VisitorStore } from '../../lambdas/store/visitor-store';
import { API_KEY, apiEvent, call } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { kelkooOnlyConfig } from '../support/config';
import { inDays, now, session, user } from '../support/visitors';

const SESSIONS = 120;
const GUEST = user('guest');

/** A clock that moves `stepMs` on from `now` each time it is read. */
function steppingClock(stepMs: number): () => Date {
  let reads = 0;
  return () => new Date(now.getTime() + stepMs * reads++);
}

let shared: Awaited<ReturnType<typeof createTestStore>>;
let visitors: VisitorStore;
let queries: number;

beforeAll(async () => {
  shared = await createTestStore();
  const db = documentClient(shared.client);
  const send = db.send.bind(db);
  // Counts the requests the traversal makes; every one still goes to DynamoDB Local.
  db.send = ((command: Parameters<typeof send>[0]) => {
    if (command.constructor.name === 'QueryCommand') queries += 1;
    return send(command);
  }) as typeof db.send;
  visitors = new VisitorStore(db, shared.tableName);
  // The guest key: linked to SESSIONS sessions (both ways), each session holding its own Kelkoo click; no click of its own.
  for (let i = 0; i < SESSIONS; i++) await visitors.linkVisitorKeys([GUEST, session(`guest-s-${i}`)], inDays(30));
  await Promise.all(
    Array.from({ length: SESSIONS }, (_, i) =>
      visitors.saveClicks([session(`guest-s-${i}`)], [{ key: 'kk', value: `kk-guest-${i}`, occurredAt: now, expiresAt: inDays(30) }]),
    ),
  );
});

beforeEach(() => {
  queries = 0;
});

describe('a visitor traversal bounded by time', () => {
  it('reads every page of a many-linked partition and every key it reaches while the budget lasts', async () => {
    const graph = await visitors.traverse([GUEST], now, { pageSize: 25, clock: steppingClock(0) });
    expect(graph.cut).toBeUndefined();
    expect(graph.nodes).toHaveLength(1 + SESSIONS);
    expect(graph.nodes[0]!.links).toHaveLength(SESSIONS);
    // The guest partition in 5 pages (25 items each, the last 20), then one page per session.
    expect(queries).toBe(Math.ceil(SESSIONS / 25) + SESSIONS);
  });

  it("stops between the pages of a key with too many links, keeps what was read, and says so", async () => {
    // Read 0 sets the deadline (budget 350 ms); reads 1-3 (100-300 ms) let pages 1-3 through; read 4 (400 ms) stops.
    const graph = await visitors.traverse([GUEST], now, { pageSize: 25, clock: steppingClock(100), budgetMs: 350 });
    expect(queries).toBe(3);
    expect(graph.nodes).toHaveLength(1);
    expect(graph.nodes[0]!.links).toHaveLength(75);
    expect(graph.cut).toEqual({
      reason: expect.stringMatching(/^visitor links not all followed within 350 ms: 0 key\(s\) read in full, 1 userId key\(s\) with too many links read in part, 75 linked key\(s\) not read/),
      keysRead: 0,
      keysUnread: 75,
      partial: ['userId'],
    });
  });

  it('stops within a level of many keys: the keys it did not reach are left out and counted', async () => {
    // Read 0: the deadline (10.5 steps); read 1: the guest partition; reads 2-10: nine sessions; read 11 stops.
    const graph = await visitors.traverse([GUEST], now, { clock: steppingClock(10), budgetMs: 105 });
    expect(queries).toBe(1 + 9);
    expect(graph.nodes).toHaveLength(1 + 9);
    expect(graph.cut).toMatchObject({ keysRead: 10, keysUnread: SESSIONS - 9, partial: [] });
    const clicks = await visitors.attributionInputs([GUEST], now, { clock: steppingClock(10), budgetMs: 105 });
    expect(clicks.clicks).toHaveLength(9);
    expect(clicks.cut?.reason).toMatch(/10 key\(s\) read in full, 111 linked key\(s\) not read; click ids held only by those were not considered$/);
  });

  it('defaults to a budget well inside the API function timeout', () => {
    expect(TRAVERSAL_BUDGET_MS).toBeLessThanOrEqual(2_000);
  });
});

describe('a conversion of a visitor whose traversal the budget stopped', () => {
  it('is recorded and answered with what was read, the reason on the order, a warning and a metric', async () => {
    const config = kelkooOnlyConfig();
    const sqs = sqsClient();
    const queues = new SqsDeliveryQueues(sqs, { kelkoo: (await createTestQueue(sqs)).queueUrl });
    const metrics = new RecordingDeliveryMetrics();
    const { logger, lines } = recordingLogger();
    // The handler reads the clock once for `now`, once for the budget's deadline, then once per partition: with a
    // step of 1 s against the 2 s budget, the guest partition is read and no session.
    const handlers = createApiHandlers({ config, store: shared.store, queues, apiKeys: new StaticApiKeys([API_KEY]), logger, metrics, clock: steppingClock(1_000) });
    const order = (orderId: string, visitor: Record<string, string>) => ({
      orderId,
      visitor,
      currency: 'EUR',
      orderValue: 10,
      items: [{ productId: 'P1', name: 'Item', unitPrice: 10, quantity: 1 }],
    });
    await shared.store.saveClicks([session('own-s')], [{ key: 'kk', value: 'kk-own', occurredAt: now, expiresAt: inDays(30) }]);

    const cut = await call(handlers.conversion, apiEvent({ body: order('TRAV-1', { userId: 'guest' }) }));
    expect(cut.status).toBe(202);
    expect(cut.body.attributionNote).toMatch(/^visitor links not all followed within 2000 ms: 1 key\(s\) read in full, 120 linked key\(s\) not read/);
    expect(cut.body.deliveries).toEqual([expect.objectContaining({ vendor: 'kelkoo', status: 'skipped' })]);
    const stored = await documentClient(shared.client).send(new GetCommand({ TableName: shared.tableName, Key: { pk: 'ORDER#TRAV-1', sk: 'ORDER' } }));
    expect(stored.Item?.attributionNote).toBe(cut.body.attributionNote);
    const status = await call(handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId: 'TRAV-1' } }));
    expect(status.body.attributionNote).toBe(cut.body.attributionNote);
    expect(metrics.traversalsCut).toBe(1);
    const warning = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.level === 'WARN');
    expect(warning).toMatchObject({ orderId: 'TRAV-1', keysRead: 1, keysUnread: 120 });
    expect(JSON.stringify(warning)).not.toContain('guest');

    const whole = await call(handlers.conversion, apiEvent({ body: order('TRAV-2', { sessionId: 'own-s' }) }));
    expect(whole.status).toBe(202);
    expect(whole.body).not.toHaveProperty('attributionNote');
    expect(whole.body.deliveries).toEqual([expect.objectContaining({ vendor: 'kelkoo', status: 'queued' })]);
    expect(metrics.traversalsCut).toBe(1);
  });
});
