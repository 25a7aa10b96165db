/**
 * Model-based test of attribution: random histories of captures, identifies and conversions – several visitors,
 * keys and links, captures arriving out of order, reports on time, late, and too late – run against the reference
 * model (attribution-model.ts) and against the real handlers on DynamoDB Local and the SQS server, with the clock
 * set to each event's arrival time. Every answer must agree: the status, and per destination whether it is told and
 * which click values it is told.
 *
 * `npm test` runs MODEL_RUNS histories (default 100); `npm run test:model:nightly` runs 3000. MODEL_SEED replays a run.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig } from '../../lambdas/config/schema';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import { DeliveryQueues, SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { API_KEY, apiEvent, call } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { AttributionModel, DAY, HOUR, MINUTE, ModelAnswer, ModelConfig, ModelEvent, ModelKey, SECOND } from './attribution-model';

const RUNS = Number(process.env.MODEL_RUNS ?? 100);
const SEED = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);

/** The service's configuration: every vendor, windows of different lengths, and a postback sharing Kelkoo's gclid. */
const config = parseConfig({
  vendors: {
    kelkoo: { ...SPEC_VENDORS.kelkoo, attributionDays: 30 },
    klevu: { ...SPEC_VENDORS.klevu, attributionDays: 10 },
    qualityclick: { ...SPEC_VENDORS.qualityclick, attributionDays: 7 },
    clickmeter: { ...SPEC_VENDORS.clickmeter, clickIdParam: 's1', attributionDays: 1 },
    raptor: SPEC_VENDORS.raptor,
  },
  postbacks: { awin: { clickIdParam: 'gclid', attributionDays: 2, url: 'https://network.example/p?ref={order.orderId}&c={clickId}' } },
  // lateReportHours: the default, 72
});

/** The same, as the model reads it: windows from the configuration above and from the Raptor document. */
const modelConfig: ModelConfig = {
  lateReportMs: 72 * HOUR,
  destinations: {
    kelkoo: { windows: { kk: 30 * DAY, gclid: 30 * DAY, msclkid: 30 * DAY }, delivers: (live) => Boolean(live.kk || live.gclid || live.msclkid) },
    klevu: { windows: { 'klevu.uuid': 10 * DAY }, delivers: (_, order) => order.shopperIp },
    qualityclick: { windows: { qc_clickid: 7 * DAY }, delivers: (live) => Boolean(live.qc_clickid) },
    clickmeter: { windows: { s1: 1 * DAY }, delivers: (live) => Boolean(live.s1) },
    // "1 year since the last tracking" (coid, ruid, reaid, xuid); the session: "maximum 20 minutes from the last visit".
    raptor: {
      windows: { 'raptor.coid': 365 * DAY, 'raptor.sid': 20 * MINUTE, 'raptor.ruid': 365 * DAY, reaid: 365 * DAY, xuid: 365 * DAY },
      delivers: (live) => Boolean(live['raptor.coid'] && live['raptor.sid']),
    },
    awin: { windows: { gclid: 2 * DAY }, delivers: (live) => Boolean(live.gclid) },
  },
};

/** Where each destination's message carries each click id. */
const CONTEXT_FIELDS: Record<string, Record<string, string>> = {
  kelkoo: { kelkooId: 'kk', gclid: 'gclid', msclkid: 'msclkid' },
  klevu: { uuid: 'klevu.uuid' },
  qualityclick: { clickId: 'qc_clickid' },
  clickmeter: { clickId: 's1' },
  raptor: { coid: 'raptor.coid', sid: 'raptor.sid', ruid: 'raptor.ruid', reaid: 'reaid', xuid: 'xuid' },
  awin: { clickId: 'gclid' },
};

let now = 0;
const sent = new Map<string, DeliveryMessage[]>();
let handlers: ReturnType<typeof createApiHandlers>;

beforeAll(async () => {
  const { store } = await createTestStore();
  const sqs: SQSClient = sqsClient();
  const queueUrls: Record<string, string> = {};
  for (const id of [...Object.keys(config.vendors), ...Object.keys(config.postbacks)]) queueUrls[id] = (await createTestQueue(sqs)).queueUrl;
  const real = new SqsDeliveryQueues(sqs, queueUrls);
  // Every message goes to its real queue; a copy is kept to read what each destination would be told.
  const queues: DeliveryQueues = {
    send: async (message) => {
      await real.send(message);
      sent.set(message.order.orderId, [...(sent.get(message.order.orderId) ?? []), message]);
    },
  };
  handlers = createApiHandlers({ config, store, queues, apiKeys: new StaticApiKeys([API_KEY]), logger: recordingLogger().logger, clock: () => new Date(now) });
});

// ---- histories -------------------------------------------------------------------------------------------------

const KINDS = { sessionId: ['s0', 's1', 's2', 's3', 's4'], userId: ['u0', 'u1', 'u2'], basketId: ['b0', 'b1'] } as const;
type Kind = keyof typeof KINDS;

/** 1–3 visitor keys of distinct kinds (a visitor object holds one of each at most). */
const visitorKeys = (min: number): fc.Arbitrary<ModelKey[]> =>
  fc
    .subarray(Object.keys(KINDS) as Kind[], { minLength: min })
    .chain((kinds) => fc.tuple(...kinds.map((kind) => fc.constantFrom(...KINDS[kind]).map((value) => `${kind}:${value}`))));

/** Durations around every window and the grace, to the millisecond, and anything between. */
const WINDOWS = [20 * MINUTE, DAY, 2 * DAY, 7 * DAY, 10 * DAY, 30 * DAY, 72 * HOUR];
const duration = (maxDays: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: 0, max: 5 * SECOND }),
    fc.integer({ min: 0, max: 40 * MINUTE }),
    fc.integer({ min: 0, max: 80 * HOUR }),
    fc.integer({ min: 0, max: maxDays * DAY }),
    fc.tuple(fc.constantFrom(...WINDOWS), fc.integer({ min: -2, max: 2 })).map(([w, d]) => Math.max(0, w + d)),
  );

/** How far before its arrival something happened: usually in the past, now and then a little ahead (≤ 6 min). */
const lateness = (maxDays: number) => fc.oneof({ weight: 5, arbitrary: duration(maxDays) }, { weight: 1, arbitrary: fc.integer({ min: -6 * MINUTE, max: 0 }) });

const CLICK_VALUES = ['A', 'B', 'C'];
const CLICK_IDS = ['kk', 'gclid', 'qc_clickid', 's1', 'raptor.coid', 'raptor.sid', 'klevu.uuid'];
const clicks = fc.dictionary(fc.constantFrom(...CLICK_IDS), fc.constantFrom(...CLICK_VALUES), { minKeys: 1, maxKeys: 3 });

type Step =
  | { kind: 'capture'; gap: number; keys: ModelKey[]; clicks: Record<string, string>; late?: number }
  | { kind: 'identify'; gap: number; keys: ModelKey[] }
  | { kind: 'conversion'; gap: number; keys: ModelKey[]; late?: number; sid?: string; shopperIp: boolean }
  /**
   * A returning user's past visits, reported at once (as a shop's batch job would): one session per visit, a kk
   * captured in each at the visit's time, each session linked to the user. `sorted`: session ids that sort in the
   * order of the visits, as time-based ids do; otherwise scrambled.
   */
  | { kind: 'returning'; gap: number; user: string; visits: number; every: number; sorted: boolean }
  /** A click under a new key, reaching a key of the pool only through a path of identify links via `hops` more new keys. */
  | { kind: 'chain'; gap: number; to: ModelKey; hops: number; clicks: Record<string, string> }
  /** Two captures of one click id under the same keys, the older one arriving `after` the newer (a queued retry), then an order. */
  | { kind: 'reordered'; gap: number; keys: ModelKey[]; clickId: string; values: [string, string]; apart: number; after: number };

const gap = duration(20);
const reordered: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('reordered' as const),
  gap,
  keys: visitorKeys(1),
  clickId: fc.constantFrom(...CLICK_IDS),
  values: fc.tuple(fc.constantFrom(...CLICK_VALUES), fc.constantFrom(...CLICK_VALUES)),
  apart: duration(3),
  after: duration(1),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('capture' as const), gap, keys: visitorKeys(1), clicks, late: fc.option(lateness(40), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('identify' as const), gap, keys: visitorKeys(2) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('conversion' as const),
      gap,
      keys: visitorKeys(1),
      late: fc.option(lateness(4), { nil: undefined }),
      sid: fc.option(fc.constantFrom(...CLICK_VALUES), { nil: undefined, freq: 4 }),
      shopperIp: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('returning' as const),
      gap,
      user: fc.constantFrom(...KINDS.userId),
      visits: fc.oneof(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 31, max: 34 })),
      every: fc.constantFrom(10 * MINUTE, 6 * HOUR, DAY),
      sorted: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('chain' as const),
      gap,
      to: visitorKeys(1).map((k) => k[0]!),
      hops: fc.integer({ min: 1, max: 6 }),
      clicks,
    }),
  },
  { weight: 2, arbitrary: reordered },
);

const kindOf = (key: ModelKey) => key.slice(0, key.indexOf(':'));

/** Events at one time on disjoint records, sent to the service concurrently. */
type HistoryEvent = ModelEvent | { kind: 'batch'; at: number; events: ModelEvent[] };

const START = Date.parse('2026-11-01T00:00:00.000Z');

/** Turns steps into timed events, each key and order id in a namespace of its own for this run. */
function toEvents(steps: Step[], run: string): HistoryEvent[] {
  const ns = (key: ModelKey) => `${key}-${run}`;
  const events: HistoryEvent[] = [];
  let at = START;
  let orders = 0;
  let chains = 0;
  for (const s of steps) {
    at += s.gap;
    if (s.kind === 'capture') events.push({ kind: 'capture', at, keys: s.keys.map(ns), clicks: s.clicks, ...(s.late !== undefined ? { occurredAt: at - s.late } : {}) });
    else if (s.kind === 'identify') events.push({ kind: 'identify', at, keys: s.keys.map(ns) });
    else if (s.kind === 'conversion') {
      events.push({
        kind: 'conversion',
        at,
        orderId: `order-${run}-${++orders}`,
        keys: s.keys.map(ns),
        ...(s.late !== undefined ? { occurredAt: at - s.late } : {}),
        overrides: s.sid !== undefined ? { 'raptor.sid': s.sid } : {},
        shopperIp: s.shopperIp,
      });
    } else if (s.kind === 'reordered') {
      const [newer, older] = s.values;
      events.push({ kind: 'capture', at, keys: s.keys.map(ns), clicks: { [s.clickId]: newer } });
      events.push({ kind: 'capture', at: at + s.after, keys: s.keys.map(ns), clicks: { [s.clickId]: older }, occurredAt: at - s.apart });
      at += s.after + SECOND;
      events.push({ kind: 'conversion', at, orderId: `order-${run}-${++orders}`, keys: s.keys.map(ns), overrides: {}, shopperIp: true });
    } else if (s.kind === 'chain') {
      // Each link joins keys of different kinds (a visitor object holds one key of each kind).
      const start = ns(`sessionId:hop${chains}-start`);
      const path = [start];
      for (let i = 0; i < s.hops; i++) {
        const avoid = [kindOf(path[path.length - 1]!), ...(i === s.hops - 1 ? [kindOf(s.to)] : [])];
        const kind = (Object.keys(KINDS) as Kind[]).find((k) => !avoid.includes(k))!;
        path.push(ns(`${kind}:hop${chains}-${i}`));
      }
      chains++;
      path.push(ns(s.to));
      const links = path.slice(1).map((key, i): ModelEvent => ({ kind: 'identify', at, keys: [path[i]!, key] }));
      events.push({ kind: 'batch', at, events: [{ kind: 'capture', at, keys: [start], clicks: s.clicks }, ...links] });
    } else {
      // Clicks in the last visits only: the newest must be found among all the sessions, whatever their ids.
      const visits: ModelEvent[] = [];
      for (let i = 0; i < s.visits; i++) {
        const session = ns(`sessionId:v${String(s.sorted ? i : (i * 7919) % 997).padStart(3, '0')}-${s.user}`);
        if (i >= s.visits - 3) visits.push({ kind: 'capture', at, keys: [session], clicks: { kk: `kk-${i}` }, occurredAt: at - (s.visits - 1 - i) * s.every });
        visits.push({ kind: 'identify', at, keys: [session, ns(`userId:${s.user}`)] });
      }
      events.push({ kind: 'batch', at, events: visits });
    }
  }
  return events;
}

// ---- running a history on the service ------------------------------------------------------------------------

function visitor(keys: ModelKey[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)]));
}

const CLICK_SOURCES: Record<string, (value: string) => Record<string, unknown>> = {
  'raptor.coid': (v) => ({ identifiers: { raptor: { coid: v } } }),
  'raptor.sid': (v) => ({ identifiers: { raptor: { sid: v } } }),
  'klevu.uuid': (v) => ({ identifiers: { klevu: { uuid: v } } }),
};

function captureBody(event: Extract<ModelEvent, { kind: 'capture' }>) {
  const params: Record<string, string> = {};
  const identifiers: Record<string, Record<string, string>> = {};
  for (const [clickId, value] of Object.entries(event.clicks)) {
    const source = CLICK_SOURCES[clickId];
    if (!source) params[clickId] = value;
    else for (const [vendor, ids] of Object.entries((source(value) as { identifiers: Record<string, Record<string, string>> }).identifiers)) identifiers[vendor] = { ...identifiers[vendor], ...ids };
  }
  return {
    visitor: visitor(event.keys),
    ...(Object.keys(params).length ? { params } : {}),
    ...(Object.keys(identifiers).length ? { identifiers } : {}),
    ...(event.occurredAt !== undefined ? { occurredAt: new Date(event.occurredAt).toISOString() } : {}),
  };
}

function conversionBody(event: Extract<ModelEvent, { kind: 'conversion' }>) {
  const sid = event.overrides['raptor.sid'];
  return {
    orderId: event.orderId,
    visitor: visitor(event.keys),
    currency: 'EUR',
    orderValue: 10,
    items: [{ productId: 'P1', name: 'Item', unitPrice: 10, quantity: 1 }],
    ...(event.shopperIp ? { shopper: { ip: '203.0.113.7' } } : {}),
    ...(sid !== undefined ? { identifiers: { raptor: { sid } } } : {}),
    ...(event.occurredAt !== undefined ? { occurredAt: new Date(event.occurredAt).toISOString() } : {}),
  };
}

/** The service's answer in the model's terms. */
async function runOnService(event: ModelEvent): Promise<ModelAnswer> {
  now = event.at;
  if (event.kind === 'identify') {
    const { status } = await call(handlers.identify, apiEvent({ body: { visitor: visitor(event.keys) } }));
    return { status } as ModelAnswer;
  }
  if (event.kind === 'capture') {
    const { status } = await call(handlers.capture, apiEvent({ body: captureBody(event) }));
    return { status } as ModelAnswer;
  }
  const { status, body } = await call(handlers.conversion, apiEvent({ body: conversionBody(event) }));
  if (status === 400) {
    if (!body.error.details.some((d: { field: string }) => d.field === 'occurredAt')) throw new Error(`400 not naming occurredAt: ${JSON.stringify(body)}`);
    return { status };
  }
  if (status !== 202) throw new Error(`conversion answered ${status}: ${JSON.stringify(body)}`);
  const messages = sent.get(event.orderId) ?? [];
  const deliveries: Record<string, { deliver: boolean; clicks: Record<string, string> }> = {};
  for (const d of body.deliveries as Array<{ vendor: string; status: string }>) {
    const message = messages.find((m) => m.destination === d.vendor);
    if ((d.status === 'queued') !== Boolean(message)) throw new Error(`${d.vendor} is ${d.status} but ${message ? 'a' : 'no'} message was queued`);
    const context = (message?.context ?? {}) as Record<string, unknown>;
    const clicks: Record<string, string> = {};
    for (const [field, clickId] of Object.entries(CONTEXT_FIELDS[d.vendor] ?? {})) if (typeof context[field] === 'string') clicks[clickId] = context[field] as string;
    deliveries[d.vendor] = { deliver: d.status === 'queued', clicks };
  }
  return { status: 202, deliveries };
}

const describeEvent = (e: HistoryEvent): string => {
  if (e.kind === 'batch') return e.events.map(describeEvent).join('\n  ');
  const t = (ms: number) => new Date(ms).toISOString();
  const occurred = 'occurredAt' in e && e.occurredAt !== undefined ? ` occurredAt=${t(e.occurredAt)}` : '';
  const rest = e.kind === 'capture' ? ` clicks=${JSON.stringify(e.clicks)}` : e.kind === 'conversion' ? ` overrides=${JSON.stringify(e.overrides)} ip=${e.shopperIp}` : '';
  return `${t(e.at)} ${e.kind} ${e.keys.join(',')}${occurred}${rest}`;
};

let runs = 0;

describe('attribution agrees with the reference model', () => {
  it(`on ${RUNS} random histories of captures, identifies and conversions`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const events = toEvents(steps, `r${++runs}`);
        const model = new AttributionModel(modelConfig);
        for (const [i, event] of events.entries()) {
          const batch = event.kind === 'batch' ? event.events : [event];
          const expected = batch.map((e) => normalise(model.apply(e)));
          const actual = await Promise.all(batch.map(runOnService));
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            throw new Error(
              `event ${i}: ${describeEvent(event)}\n  model:   ${JSON.stringify(expected)}\n  service: ${JSON.stringify(actual)}\n` +
                `history:\n${events
                  .slice(0, i + 1)
                  .map((e) => `  ${describeEvent(e)}`)
                  .join('\n')}`,
            );
          }
        }
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: process.env.MODEL_SHRINK === '0' },
    );
  }, RUNS * 2000);
});

/** Destinations in configuration order, click values sorted by id: the form runOnService produces. */
function normalise(answer: ModelAnswer): ModelAnswer {
  if (answer.status !== 202) return answer;
  const order = Object.keys(CONTEXT_FIELDS);
  const deliveries = Object.fromEntries(
    order.map((id) => {
      const d = answer.deliveries[id]!;
      const fields = Object.values(CONTEXT_FIELDS[id]!);
      return [id, { deliver: d.deliver, clicks: Object.fromEntries(fields.filter((f) => d.clicks[f] !== undefined).map((f) => [f, d.clicks[f]!])) }];
    }),
  );
  return { status: 202, deliveries };
}
