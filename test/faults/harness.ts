/**
 * The fault-injection rig: one local stack (the suite's shared DynamoDB Local; the shared SQS server, or a proxy in
 * front of it) with Kelkoo and QUALITYCLICK pointed at a vendor double, N visitors each with a Kelkoo and a
 * QUALITYCLICK click, N conversions, and the measurements every fault reports: conversions answered 5xx, vendor
 * calls received and accepted, lost and duplicated deliveries, messages dead-lettered and redriven, and the time
 * until every order was delivered.
 *
 * Every wait is bounded in time and every request loop in count; all traffic stays on 127.0.0.1.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_AWS } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { queueArnOf, redrive } from '../../scripts/redrive';
import { DeliveryView, eventually, sleep, StackClient } from '../support/local-stack';
import type { VendorDouble } from '../support/vendor-double';

/** Conversions per fault: the issue asks for at least 200. */
export const N = 200;

/** Requests to the API at once: a busy shop backend, small enough not to measure DynamoDB Local's queueing. */
const API_CONCURRENCY = 8;

const API_KEY = 'fault-suite-key-0123';

/** The two vendors every fault delivers to, with the path each has on the double. */
export const VENDORS = [
  { id: 'kelkoo', path: '/st' },
  { id: 'qualityclick', path: '/get_trans.cgi' },
] as const;
export type VendorId = (typeof VENDORS)[number]['id'];

export interface DeliverySettings {
  maxAttempts: number;
  /** The retry horizon; the faults use "0s", so that a delivery is dead-lettered after `maxAttempts` attempts. */
  retryFor?: string;
  retryBaseSeconds: number;
  timeoutMs: number;
}

/** One row of the fault table (docs/RELIABILITY.md); written for the reporter when FAULT_REPORT is set. */
export interface FaultRow {
  /** Position in the table. */
  rank: number;
  fault: string;
  description: string;
  delivery: DeliverySettings;
  n: number;
  conversions5xx: number;
  /** Vendor calls the double received (all vendors). */
  received: number;
  /** 2xx answers delivered to a caller that was still there. */
  accepted: number;
  /** 2xx answers the double had ready for a caller that had already timed out and gone. */
  lateAnswers: number;
  /** Calls whose connection the double dropped after reading the request. */
  droppedAfterReceipt: number;
  /** (order, vendor) pairs never accepted. */
  lost: number;
  /** (order, vendor) pairs accepted more than once, counted once per surplus call. */
  duplicated: number;
  /** Calls received beyond one per (order, vendor): what a vendor keeping every call it got would hold twice. */
  extraReceived: number;
  deadLettered: number;
  redriven: number;
  /** From the first conversion to every order accepted by every vendor and recorded `sent`. */
  secondsToDelivered: number;
  /** Highest attempt count recorded on a delivery. */
  maxAttempts: number;
  notes?: string;
}

/** Runs `task` over `items`, at most `limit` at a time, in order of start. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  /** Retries waiting out their backoff: delayed copies, neither visible nor in flight. */
  delayed: number;
}

export interface Visitor {
  orderId: string;
  sessionId: string;
  kk: string;
  qcClickId: string;
}

export interface RigOptions {
  fault: string;
  delivery: DeliverySettings;
  /** Base URL the vendors' endpoints hang off (the double, or a closed port where it starts later). */
  vendorBase: string;
  /** The SQS endpoint the stack uses; default the suite's shared server. */
  sqsEndpoint?: string;
  /** Requests to the API at once (default API_CONCURRENCY). */
  apiConcurrency?: number;
  /**
   * Vendors that book a call on receipt in this fault, answered or not: QUALITYCLICK, whose document says "the data is
   * processed immediately upon receipt", when its answer comes after the timeout. A call such a vendor received counts
   * as booked (the exactly-once checks count it as accepted), and the sender records it `sent`.
   */
  bookedOnReceipt?: readonly VendorId[];
}

/** The order body a shop would send, the same on every retry. */
export function conversionBody(visitor: Visitor) {
  return {
    orderId: visitor.orderId,
    visitor: { sessionId: visitor.sessionId },
    currency: 'EUR',
    orderValue: 67.25,
    netValue: 56.04,
    country: 'fr',
    returningUser: false,
    items: [
      { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 },
      { productId: 'P200001', name: 'Gants nitrile', unitPrice: 12.25, quantity: 3 },
    ],
  };
}

export class FaultRig {
  readonly visitors: Visitor[];
  /** The shared SQS server itself, never the proxy: measurements must not depend on the fault. */
  readonly sqs: SQSClient;
  readonly client: StackClient;
  private readonly startedAt = Date.now();
  private conversionsStartedAt: number | undefined;
  private readonly concurrency: number;

  private constructor(
    readonly options: RigOptions,
    readonly stack: LocalStack,
    private readonly workDir: string,
  ) {
    const run = randomBytes(3).toString('hex');
    // Order ids carry a space and a slash: the senders must encode them, and the double must read them back intact.
    this.visitors = Array.from({ length: N }, (_, i) => ({
      orderId: `FI ${options.fault}/${run}-${String(i).padStart(4, '0')}`,
      sessionId: `s-${options.fault}-${run}-${i}`,
      kk: `kk-${run}-${i}`,
      qcClickId: `QC${run}${String(i).padStart(6, '0')}`,
    }));
    this.sqs = new SQSClient({ endpoint: requiredEnv('TEST_SQS_ENDPOINT'), ...LOCAL_AWS });
    this.client = new StackClient(stack, API_KEY);
    this.concurrency = options.apiConcurrency ?? API_CONCURRENCY;
  }

  static async start(options: RigOptions): Promise<FaultRig> {
    const workDir = mkdtempSync(join(tmpdir(), `faults-${options.fault}-`));
    const configPath = join(workDir, 'tracking.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        vendors: {
          kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `${options.vendorBase}/st` },
          qualityclick: { endpoint: `${options.vendorBase}/get_trans.cgi`, cpid: '1', product: 'Sale' },
        },
        delivery: options.delivery,
        local: { apiKeys: [API_KEY] },
      }),
    );
    try {
      const stack = await startLocalStack({
        configPath,
        port: 0,
        quiet: true,
        dynamoEndpoint: requiredEnv('TEST_DYNAMODB_ENDPOINT'),
        sqsEndpoint: options.sqsEndpoint ?? requiredEnv('TEST_SQS_ENDPOINT'),
      });
      return new FaultRig(options, stack, workDir);
    } catch (error) {
      rmSync(workDir, { recursive: true, force: true });
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.stack.stop();
    this.sqs.destroy();
    rmSync(this.workDir, { recursive: true, force: true });
  }

  /** One landing per visitor, in its own session, carrying both vendors' click ids. */
  async captureClicks(): Promise<void> {
    const statuses = await mapLimit(this.visitors, this.concurrency, async (v) => {
      const { status } = await this.client.api('POST', '/v1/clicks', {
        visitor: { sessionId: v.sessionId },
        landingUrl: `https://www.shop.example/p/137.html?kk=${v.kk}&qc_clickid=${v.qcClickId}&utm_source=kelkoo`,
      });
      return status;
    });
    const wrong = statuses.filter((s) => s !== 201);
    if (wrong.length) throw new Error(`${wrong.length} captures did not answer 201: ${[...new Set(wrong)].join(', ')}`);
  }

  /** Reports `visitors`' orders (default: all); the answers' statuses in the same order. */
  async convert(visitors: readonly Visitor[] = this.visitors): Promise<Array<{ status: number; body: any }>> {
    this.conversionsStartedAt ??= Date.now();
    return mapLimit(visitors, this.concurrency, (v) => this.client.api('POST', '/v1/conversions', conversionBody(v)));
  }

  /** Delivery statuses of every order (bounded: N requests, API_CONCURRENCY at a time). */
  async statuses(): Promise<Map<string, DeliveryView[]>> {
    const views = await mapLimit(this.visitors, this.concurrency, (v) => this.client.deliveries(v.orderId));
    return new Map(this.visitors.map((v, i) => [v.orderId, views[i]!]));
  }

  async counts(queueUrl: string): Promise<QueueCounts> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }

  /** Per vendor: its delivery queue and its dead-letter queue. */
  async allCounts(): Promise<Record<VendorId, { queue: QueueCounts; dlq: QueueCounts }>> {
    const entries = await Promise.all(
      VENDORS.map(async ({ id }) => {
        const urls = this.stack.queueUrls[id]!;
        const [queue, dlq] = await Promise.all([this.counts(urls.queue), this.counts(urls.deadLetterQueue)]);
        return [id, { queue, dlq }] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<VendorId, { queue: QueueCounts; dlq: QueueCounts }>;
  }

  /**
   * Until both delivery queues are empty – every message delivered or moved to its dead-letter queue – or
   * `timeoutMs` has passed. Returns the last counts and whether the queues drained.
   */
  async waitUntilDrained(timeoutMs: number): Promise<{ counts: Record<VendorId, { queue: QueueCounts; dlq: QueueCounts }>; drained: boolean }> {
    const isDrained = (c: Record<VendorId, { queue: QueueCounts; dlq: QueueCounts }>) =>
      VENDORS.every(({ id }) => c[id].queue.visible === 0 && c[id].queue.inFlight === 0 && c[id].queue.delayed === 0);
    try {
      const counts = await eventually(() => this.allCounts(), isDrained, timeoutMs);
      return { counts, drained: true };
    } catch {
      return { counts: await this.allCounts(), drained: false };
    }
  }

  /** Moves both dead-letter queues back with the operators' redrive; the messages moved per vendor. */
  async redriveAll(): Promise<Record<VendorId, number>> {
    const moved = await Promise.all(
      VENDORS.map(async ({ id }) => {
        const urls = this.stack.queueUrls[id]!;
        const result = await redrive(
          { sqs: this.sqs, deadLetterQueueUrl: urls.deadLetterQueue, queueArn: await queueArnOf(this.sqs, urls.queue) },
          { pollIntervalMs: 200, timeoutMs: 30_000 },
        );
        if (result.outcome === 'empty') return 0;
        if (result.outcome !== 'completed') throw new Error(`redrive of ${id}: ${JSON.stringify(result)}`);
        return result.moved;
      }),
    );
    return Object.fromEntries(VENDORS.map(({ id }, i) => [id, moved[i]!])) as Record<VendorId, number>;
  }

  /**
   * Until the pipeline is at rest with every order delivered: each (order, vendor) accepted at least once by the
   * double, no message left on any queue (so no call can still be made), and every delivery recorded `sent`.
   * Stops early, incomplete, when every queue and dead-letter queue has stayed empty while deliveries are still
   * missing: nothing is left that could deliver them. Returns the statuses read at the end and the seconds from the
   * first conversion to the moment everything was delivered (NaN when it never was).
   */
  async waitUntilDelivered(
    double: VendorDouble,
    timeoutMs: number,
  ): Promise<{ statuses: Map<string, DeliveryView[]>; seconds: number; complete: boolean }> {
    const deadline = Date.now() + timeoutMs;
    const expected = this.visitors.length * VENDORS.length;
    let emptyChecks = 0;
    let complete = false;
    while (Date.now() < deadline) {
      const counts = await this.allCounts();
      const empty = VENDORS.every(({ id }) => [counts[id].queue, counts[id].dlq].every((q) => q.visible === 0 && q.inFlight === 0 && q.delayed === 0));
      if (empty && this.acceptedPairs(double) === expected) {
        complete = (await this.statuses().then((all) => this.notSent(all))).length === 0;
        if (complete) break;
      }
      // Three reads in a row, a second apart, with nothing on any queue: the missing deliveries are gone.
      emptyChecks = empty && this.acceptedPairs(double) < expected ? emptyChecks + 1 : 0;
      if (emptyChecks >= 3) break;
      await sleep(empty ? 1000 : 250);
    }
    const seconds = complete ? (Date.now() - (this.conversionsStartedAt ?? this.startedAt)) / 1000 : Number.NaN;
    // Nothing is left to send: the answers on connections the senders kept open were read.
    await double.settleIdle();
    return { statuses: await this.statuses(), seconds, complete };
  }

  /**
   * Calls of one (order, vendor) the vendor holds: those it accepted – or, for a vendor that books on receipt
   * (`bookedOnReceipt`), every call it received. `unsettled` counts answers not yet known to have been read.
   */
  booked(double: VendorDouble, { id, path }: (typeof VENDORS)[number], orderId: string, unsettled = false): number {
    const tally = unsettled ? double.tallyIncludingUnsettled(path, orderId) : double.tally(path, orderId);
    return this.options.bookedOnReceipt?.includes(id) ? tally.received : tally.accepted;
  }

  /** (order, vendor) pairs the double accepted (booked) at least once, counting answers not yet settled. */
  acceptedPairs(double: VendorDouble): number {
    let pairs = 0;
    for (const v of this.visitors) for (const vendor of VENDORS) if (this.booked(double, vendor, v.orderId, true) > 0) pairs++;
    return pairs;
  }

  /** Lost (never accepted or booked) and duplicated (calls held beyond the first) over all (order, vendor) pairs. */
  exactlyOnce(double: VendorDouble): { lost: number; duplicated: number } {
    let lost = 0;
    let duplicated = 0;
    for (const v of this.visitors) {
      for (const vendor of VENDORS) {
        const accepted = this.booked(double, vendor, v.orderId);
        if (accepted === 0) lost++;
        if (accepted > 1) duplicated += accepted - 1;
      }
    }
    return { lost, duplicated };
  }

  /**
   * Every (order, vendor) not accepted exactly once, as a line with the calls the vendor saw and the delivery record
   * the API reports – what a bug report needs. Empty when every order reached every vendor exactly once.
   */
  deliveryProblems(double: VendorDouble, statuses: Map<string, DeliveryView[]>, limit = 12): string[] {
    const lines: string[] = [];
    let more = 0;
    for (const v of this.visitors) {
      for (const vendor of VENDORS) {
        const { id, path } = vendor;
        const { received } = double.tally(path, v.orderId);
        const accepted = this.booked(double, vendor, v.orderId);
        if (accepted === 1) continue;
        if (lines.length >= limit) {
          more++;
          continue;
        }
        const d = statuses.get(v.orderId)?.find((x) => x.vendor === id);
        const record = d ? `${d.status}, ${d.attempts} attempts${d.lastError ? `, last error "${d.lastError}"` : ''}` : 'no delivery record';
        lines.push(`${accepted === 0 ? 'LOST' : 'DUPLICATED'} ${JSON.stringify(v.orderId)} → ${id}: vendor received ${received} call(s), accepted ${accepted}; status ${record}`);
      }
    }
    if (more) lines.push(`… and ${more} more`);
    return lines;
  }

  /** Delivery records that are not `sent` with at least one attempt, as readable lines (empty when all are). */
  notSent(statuses: Map<string, DeliveryView[]>): string[] {
    const wrong: string[] = [];
    for (const [orderId, ds] of statuses) {
      for (const { id } of VENDORS) {
        const d = ds.find((x) => x.vendor === id);
        if (!d || d.status !== 'sent' || !(d.attempts >= 1)) wrong.push(`${orderId} → ${id}: ${JSON.stringify(d)}`);
      }
    }
    return wrong;
  }

  /**
   * Deliveries for which the vendor received more calls than the status counts attempts: every call must follow a
   * claim, which counts it. (Fewer calls than attempts is normal: a call can fail before it reaches the vendor.)
   */
  callsBeyondAttempts(statuses: Map<string, DeliveryView[]>, double: VendorDouble): string[] {
    const wrong: string[] = [];
    for (const [orderId, ds] of statuses) {
      for (const { id, path } of VENDORS) {
        const attempts = ds.find((x) => x.vendor === id)?.attempts ?? 0;
        const { received } = double.tally(path, orderId);
        if (received > attempts) wrong.push(`${orderId} → ${id}: ${attempts} attempts recorded, ${received} calls received`);
      }
    }
    return wrong;
  }

  /** The row for the fault table from what was measured. */
  row(
    double: VendorDouble,
    measured: {
      rank: number;
      description: string;
      conversions5xx: number;
      deadLettered: number;
      redriven: number;
      seconds: number;
      statuses: Map<string, DeliveryView[]>;
      notes?: string;
    },
  ): FaultRow {
    const totals = double.totals();
    const { lost, duplicated } = this.exactlyOnce(double);
    const pairsReceived = double.allTallies().filter((t) => t.received > 0).length;
    const attempts = [...measured.statuses.values()].flatMap((ds) => ds.map((d) => d.attempts ?? 0));
    return {
      rank: measured.rank,
      fault: this.options.fault,
      description: measured.description,
      delivery: this.options.delivery,
      n: this.visitors.length,
      conversions5xx: measured.conversions5xx,
      received: totals.received,
      accepted: totals.accepted,
      lateAnswers: totals.outcomes['caller-gone'],
      droppedAfterReceipt: totals.outcomes.reset,
      lost,
      duplicated,
      extraReceived: totals.received - pairsReceived,
      deadLettered: measured.deadLettered,
      redriven: measured.redriven,
      secondsToDelivered: Math.round(measured.seconds * 10) / 10,
      maxAttempts: Math.max(0, ...attempts),
      ...(measured.notes ? { notes: measured.notes } : {}),
    };
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the fault suite through jest (its global setup starts the services)`);
  return value;
}

/**
 * Where rows go while `FAULT_REPORT` is set: a directory derived from the report's path, which the reporter
 * (test/faults/report-reporter.js) empties when the run starts and turns into the table when it ends.
 */
export function rowsDirectory(reportPath: string): string {
  const digest = createHash('sha256').update(resolve(reportPath)).digest('hex').slice(0, 12);
  return join(tmpdir(), `fault-report-rows-${digest}`);
}

/** Hands the row to the reporter when a report was asked for. */
export function recordRow(row: FaultRow): void {
  const report = process.env.FAULT_REPORT;
  if (!report) return;
  const dir = rowsDirectory(report);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${String(row.rank).padStart(2, '0')}-${row.fault}.json`), JSON.stringify(row, null, 2));
}

