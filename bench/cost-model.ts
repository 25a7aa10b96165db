/**
 * Cost per million captures and conversions from what the code does, measured in the same run
 * (bench/measured-requests.ts: requests by type, capacity units as DynamoDB bills them, deployed-shaped log and EMF
 * lines, stored item sizes and their retention), the stack's settings from its synthesised template (memory sizes,
 * whether Lambda's platform lines are kept, the API access log format, PITR, alarms and metric filters), the measured
 * CPU per call and init CPU, and the unit prices of bench/prices.ts. Two volumes: typical (the event source hands a
 * sender one message per batch) and high (full batches of ten).
 *
 * Beside each cost, its floor: what the architecture's own rules make unavoidable, computed from the same prices. Two
 * parts are kept apart: handling a call (requests, invocations, time, logs – what the target of 1.10 × the floor
 * judges) and keeping what it leaves (storage and PITR over the retention, which the configuration's retentionDays
 * and the records the contract shows decide), each with its own floor.
 */
import { ASSUMPTIONS, PRICES } from './prices';
import type { MeasuredRequests, ScenarioCount } from './measured-requests';

export interface ModelFacts {
  memoryMb: { capture: number; conversion: number; sender: number };
  /** Lambda's START/END/REPORT lines are kept (system log level INFO or finer). */
  platformLogs: boolean;
  /** Bytes of one API access log line rendered from the stage's format with realistic values. */
  accessLogBytes: number;
  pitr: boolean;
}

export interface ModelInputs {
  measured: MeasuredRequests;
  facts: ModelFacts;
  /** Warm CPU per call, ms (bench/cpu.ts, p50). */
  cpuMs: { capture: number; conversion: number };
  /**
   * CPU of one bare AWS request through the same SDK client, ms (bench/cpu.ts: a bare PutItem, p50, same run): what
   * the floor's invocations spend on each request the rules require – no implementation issues one for less.
   */
  requestCpuMs: number;
  /** Module init CPU, ms (bench/bundles.ts). */
  initCpuMs: { capture: number; conversion: number; sender: number };
  /** How long a vendor takes to answer, ms: the senders' billed time is mostly this wait. */
  vendorMs: number;
}

export interface ModelLine {
  item: string;
  typical: number;
  high: number;
  basis: string;
}

export interface ModelCost {
  label: string;
  /** Handling a call: every line but storage. */
  lines: ModelLine[];
  total: { typical: number; high: number };
  floor: { lines: ModelLine[]; total: { typical: number; high: number } };
  ratio: { typical: number; high: number };
  /** Keeping what a call leaves: storage and PITR over the retention, beside the same for the floor's records. */
  kept: { lines: ModelLine[]; total: number; floorLines: ModelLine[]; floorTotal: number; ratio: number };
}

/** Lambda's smallest memory size: the floor's invocations are billed at it. */
export const SMALLEST_MEMORY_MB = 128;

export const VOLUMES = { typical: 1, high: 10 } as const;

const GIB = 1024 ** 3;
const DAYS_PER_MONTH = 365 / 12;

const per = (s: ScenarioCount, n: number) => n / s.calls;
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);

/** Billed milliseconds at `memoryMb`: CPU stretched by the CPU share, plus the wait on AWS and the vendor. */
export function billedMs(cpuMs: number, ioMs: number, memoryMb: number): number {
  return Math.ceil(cpuMs / Math.min(1, memoryMb / ASSUMPTIONS.fullVcpuAtMb) + ioMs);
}

const same = (item: string, value: number, basis: string): ModelLine => ({ item, typical: value, high: value, basis });

/** Ingested bytes of `lines` log events of `bytes` in all, with CloudWatch's 26 bytes per event. */
const ingestUsd = (bytes: number, lines: number) => ((bytes + lines * ASSUMPTIONS.logEventOverheadBytes) * 1e6 * PRICES.logsIngestion.usd) / GIB;

/** Storage and PITR of `bytes` kept `days`, per million: GB-months over the whole retention. */
function storageLines(bytes: number, days: number, pitr: boolean, what: string): ModelLine[] {
  const gbMonths = ((bytes * 1e6) / GIB) * (days / DAYS_PER_MONTH);
  return [
    same('DynamoDB storage', gbMonths * PRICES.dynamoStorage.usd, `${bytes.toFixed(0)} B per ${what} (+ 100 B per item) kept ${days} days (TTL): ${gbMonths.toFixed(2)} GB-months per million`),
    ...(pitr ? [same('DynamoDB PITR', gbMonths * PRICES.dynamoPitr.usd, 'point-in-time recovery is on (template): billed on the same GB-months')] : []),
  ];
}

/** What keeping the measured items costs, beside keeping only their floor attributes (FLOOR_ATTRIBUTES) as long. */
function keptPart(stored: { bytes: number; floorBytes: number; retentionDays: number }, pitr: boolean, what: string): ModelCost['kept'] {
  const lines = storageLines(stored.bytes, stored.retentionDays, pitr, `${what}, as stored`);
  const floorLines = storageLines(stored.floorBytes, stored.retentionDays, pitr, `${what} with only each item's key, expiry, a click's value and time and a delivery's status`);
  const total = lines.reduce((a, l) => a + l.typical, 0);
  const floorTotal = floorLines.reduce((a, l) => a + l.typical, 0);
  return { lines, total, floorLines, floorTotal, ratio: total / floorTotal };
}

/**
 * The floor's Lambda time: `invocations` per million, each billed for its unavoidable waits (`waitMs`: the AWS round
 * trips the rules need, and a vendor's answer) and the CPU of the requests the rules need (`requests` × a bare
 * request's measured CPU), at the smallest memory size – nothing else: no handler code, no init.
 */
function floorTimeUsd(invocations: number, waitMs: number, requests: number, requestCpuMs: number): number {
  return invocations * gbSeconds(billedMs(requests * requestCpuMs, waitMs, SMALLEST_MEMORY_MB), SMALLEST_MEMORY_MB) * PRICES.lambdaArmGbSecond.usd;
}

function platformLogLines(invocations: number, facts: ModelFacts): number {
  return facts.platformLogs ? invocations * ASSUMPTIONS.platformLogEventsPerInvocation : 0;
}
function platformLogBytes(invocations: number, facts: ModelFacts): number {
  return facts.platformLogs ? invocations * ASSUMPTIONS.platformLogBytesPerInvocation : 0;
}

function initUsd(initCpuMs: number, memoryMb: number, invocationsPerMillion: number): number {
  return invocationsPerMillion * ASSUMPTIONS.coldStartShare * gbSeconds(billedMs(initCpuMs, 0, memoryMb), memoryMb) * PRICES.lambdaInitBilled.usd;
}

/** Per-million cost of one API call of `scenario`: every line from its measured counts. */
function apiLines(s: ScenarioCount, cpuMs: number, ioMs: number, memoryMb: number, initCpuMs: number, facts: ModelFacts): ModelLine[] {
  const ms = billedMs(cpuMs, ioMs, memoryMb);
  return [
    same('API Gateway HTTP API', PRICES.apiGatewayHttp.usd, '1 request'),
    same('Lambda requests (API)', PRICES.lambdaRequests.usd, '1 invocation'),
    same('Lambda duration (API)', 1e6 * gbSeconds(ms, memoryMb) * PRICES.lambdaArmGbSecond.usd, `${ms} ms billed at ${memoryMb} MB: ${cpuMs.toFixed(1)} ms CPU ÷ CPU share + ${ioMs} ms AWS I/O`),
    same('Lambda INIT (API)', initUsd(initCpuMs, memoryMb, 1e6), `${ASSUMPTIONS.coldStartShare * 100} % cold × ${billedMs(initCpuMs, 0, memoryMb)} ms init`),
    same('DynamoDB writes (API)', per(s, s.writeUnits) * PRICES.dynamoWrite.usd, `${per(s, s.writeUnits)} WRU; the call's requests: ${describeOps(s)}`),
    same('DynamoDB reads (API)', per(s, s.readUnits) * PRICES.dynamoRead.usd, `${per(s, s.readUnits)} RRU (${per(s, s.strongReads)} strongly consistent)`),
    same('SQS (API)', per(s, sum(s.sqs)) * PRICES.sqsStandard.usd, `${per(s, sum(s.sqs))} requests (64 KB chunks)`),
    same(
      'CloudWatch Logs (API function)',
      ingestUsd(per(s, s.logBytes) + platformLogBytes(1, facts), per(s, s.logLines) + platformLogLines(1, facts)),
      `${per(s, s.logLines)} line(s), ${per(s, s.logBytes).toFixed(0)} B as the function's logger writes them with a Lambda context, + 26 B per event${facts.platformLogs ? " + Lambda's START/END/REPORT" : "; Lambda's START/END/REPORT dropped (system log level WARN)"}`,
    ),
    same('EMF metric records (API)', ingestUsd(per(s, s.emfBytes), per(s, s.emfLines)), `${per(s, s.emfLines)} record(s), ${per(s, s.emfBytes).toFixed(0)} B`),
    same('API access log', ingestUsd(facts.accessLogBytes, 1), `1 line of ${facts.accessLogBytes} B (the stage's format, rendered)`),
  ];
}

export function describeOps(s: ScenarioCount): string {
  const ops = { ...s.dynamo, ...Object.fromEntries(Object.entries(s.sqs).map(([k, v]) => [`SQS ${k}`, v])) };
  const text = Object.entries(ops)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ×${Number((n / s.calls).toFixed(2))}`)
    .join(', ');
  return text || 'none';
}

function totals(lines: ModelLine[]): { typical: number; high: number } {
  return { typical: lines.reduce((a, l) => a + l.typical, 0), high: lines.reduce((a, l) => a + l.high, 0) };
}

export function captureModel(inputs: ModelInputs): ModelCost {
  const { measured, facts } = inputs;
  const s = measured.scenarios.capture1;
  const stored = measured.stored.capture;
  const lines = apiLines(s, inputs.cpuMs.capture, ASSUMPTIONS.captureAwsIoMs, facts.memoryMb.capture, inputs.initCpuMs.capture, facts);
  const floorLines = [
    same('API Gateway request', PRICES.apiGatewayHttp.usd, 'rule: one HTTP request per capture'),
    same('Lambda invocation', PRICES.lambdaRequests.usd, 'rule: one invocation per request'),
    same('Conditional write per record', PRICES.dynamoWrite.usd, 'rule: one record (visitor key × click id), written once: 1 WRU'),
    same(
      'Lambda time of the write',
      floorTimeUsd(1e6, ASSUMPTIONS.captureAwsIoMs, 1, inputs.requestCpuMs),
      `rule: the invocation lasts at least its round trip to DynamoDB (${ASSUMPTIONS.captureAwsIoMs} ms) and the CPU of that one request ` +
        `(a bare PutItem: ${inputs.requestCpuMs.toFixed(2)} ms at a full core), billed at ${SMALLEST_MEMORY_MB} MB`,
    ),
  ];
  return withFloor('per million captures (1 visitor key × 1 click id)', lines, floorLines, keptPart(stored, facts.pitr, 'capture'));
}

function withFloor(label: string, lines: ModelLine[], floorLines: ModelLine[], kept: ModelCost['kept']): ModelCost {
  const total = totals(lines);
  const floor = totals(floorLines);
  return { label, lines, total, floor: { lines: floorLines, total: floor }, ratio: { typical: total.typical / floor.typical, high: total.high / floor.high }, kept };
}

/** A sender's billed time for one invocation of `batch` messages: its CPU, three DynamoDB round trips, the vendor. */
export function senderInvocationMs(cpuMsPerInvocation: number, vendorMs: number, memoryMb: number): number {
  return billedMs(cpuMsPerInvocation, ASSUMPTIONS.senderAwsIoMs + vendorMs, memoryMb);
}

export function conversionModel(inputs: ModelInputs): ModelCost {
  const { measured, facts } = inputs;
  const s = measured.scenarios.conversion1;
  const vendors = measured.vendors.length;
  const stored = measured.stored.conversion;
  const sender = { typical: measured.scenarios.senderBatch1, high: measured.scenarios.senderBatch10 };
  const mode = (f: (x: ScenarioCount, batch: number) => number) => ({ typical: f(sender.typical, VOLUMES.typical), high: f(sender.high, VOLUMES.high) });
  const line = (item: string, f: (x: ScenarioCount, batch: number) => number, basis: string): ModelLine => ({ item, ...mode(f), basis });
  // Per conversion: `vendors` messages; a sender scenario's figures are per message.
  const invocationsPerMessage = (x: ScenarioCount) => x.invocations / x.calls;
  const senderMs = (x: ScenarioCount) => senderInvocationMs(x.cpuMs / x.invocations, inputs.vendorMs, facts.memoryMb.sender);
  const lines = [
    ...apiLines(s, inputs.cpuMs.conversion, ASSUMPTIONS.conversionAwsIoMs, facts.memoryMb.conversion, inputs.initCpuMs.conversion, facts),
    line('Lambda requests (senders)', (x) => vendors * invocationsPerMessage(x) * PRICES.lambdaRequests.usd, `${vendors} vendors × invocations per message (measured: 1 at batch 1, ${invocationsPerMessage(sender.high)} at batch 10)`),
    line(
      'Lambda duration (senders)',
      (x) => 1e6 * vendors * invocationsPerMessage(x) * gbSeconds(senderMs(x), facts.memoryMb.sender) * PRICES.lambdaArmGbSecond.usd,
      `per invocation: measured CPU (batch 1: ${(sender.typical.cpuMs / sender.typical.invocations).toFixed(1)} ms, batch 10: ${(sender.high.cpuMs / sender.high.invocations).toFixed(1)} ms) ÷ CPU share + ${ASSUMPTIONS.senderAwsIoMs} ms DynamoDB + the vendor's ${inputs.vendorMs} ms (a batch's calls in parallel) at ${facts.memoryMb.sender} MB: ${senderMs(sender.typical)} / ${senderMs(sender.high)} ms billed`,
    ),
    line('Lambda INIT (senders)', (x) => initUsd(inputs.initCpuMs.sender, facts.memoryMb.sender, 1e6 * vendors * invocationsPerMessage(x)), `${ASSUMPTIONS.coldStartShare * 100} % of sender invocations cold`),
    line('DynamoDB writes (senders)', (x) => vendors * per(x, x.writeUnits) * PRICES.dynamoWrite.usd, `${vendors} × ${per(sender.typical, sender.typical.writeUnits)} WRU per message: ${describeOps(sender.typical)}`),
    line('DynamoDB reads (senders)', (x) => vendors * per(x, x.readUnits) * PRICES.dynamoRead.usd, `${vendors} × ${per(sender.typical, sender.typical.readUnits)} RRU per message (${per(sender.typical, sender.typical.strongReads)} strongly consistent GetItem of the order)`),
    line(
      'SQS (event source + senders)',
      (x, batch) => vendors * (2 / batch + per(x, sum(x.sqs))) * PRICES.sqsStandard.usd,
      `${vendors} × (a ReceiveMessage and a DeleteMessageBatch per batch ÷ batch size + ${per(sender.typical, sum(sender.typical.sqs))} by the sender per message)`,
    ),
    line(
      'CloudWatch Logs (senders)',
      (x) => vendors * ingestUsd(per(x, x.logBytes) + platformLogBytes(invocationsPerMessage(x), facts), per(x, x.logLines) + platformLogLines(invocationsPerMessage(x), facts)),
      `${vendors} × ${per(sender.typical, sender.typical.logLines)} line(s), ${per(sender.typical, sender.typical.logBytes).toFixed(0)} B per message`,
    ),
    line('EMF metric records (senders)', (x) => vendors * ingestUsd(per(x, x.emfBytes), per(x, x.emfLines)), `${vendors} × per message: ${per(sender.typical, sender.typical.emfLines)} record at batch 1, ${per(sender.high, sender.high.emfLines).toFixed(2)} at batch 10 (one per event kind per batch)`),
  ];
  // Attribution reads each visitor key the traversal reaches, once: its Queries, at an eventually consistent read each.
  const attributionQueries = per(s, s.dynamo.Query ?? 0);
  const conversionRequests = 1 + attributionQueries + vendors;
  const conversionTime = floorTimeUsd(1e6, ASSUMPTIONS.conversionAwsIoMs, conversionRequests, inputs.requestCpuMs);
  const senderTime = (batch: number) => floorTimeUsd((vendors / batch) * 1e6, ASSUMPTIONS.senderAwsIoMs + inputs.vendorMs, 2 * batch, inputs.requestCpuMs);
  const floorLines = [
    same('API Gateway request', PRICES.apiGatewayHttp.usd, 'rule: one HTTP request per conversion'),
    { item: 'Lambda invocations', typical: (1 + vendors / VOLUMES.typical) * PRICES.lambdaRequests.usd, high: (1 + vendors / VOLUMES.high) * PRICES.lambdaRequests.usd, basis: `rule: the conversion's, and one sender invocation per batch per vendor (${vendors} at batch 1, ${vendors / 10} at batch 10)` },
    same('Exactly-once writes', (1 + 2 * vendors) * PRICES.dynamoWrite.usd, `rule: the order written once (1 WRU, conditional) and per vendor a claim before the call and a record after it (2 × ${vendors} WRU)`),
    { item: 'SQS', typical: vendors * (1 + 2 / VOLUMES.typical) * PRICES.sqsStandard.usd, high: vendors * (1 + 2 / VOLUMES.high) * PRICES.sqsStandard.usd, basis: `rule: one SendMessage per vendor (a queue per vendor), a receive and a delete per batch` },
    same(
      'Attribution reads',
      attributionQueries * 0.5 * PRICES.dynamoRead.usd,
      `rule: each visitor key the clicks are found under read once, eventually consistent (${attributionQueries} keys here: 0.5 RRU each)`,
    ),
    {
      item: 'Lambda time of the waits and requests',
      typical: conversionTime + senderTime(VOLUMES.typical),
      high: conversionTime + senderTime(VOLUMES.high),
      basis:
        `rule: each invocation lasts at least its round trips – the conversion's ${ASSUMPTIONS.conversionAwsIoMs} ms, a sender's ${ASSUMPTIONS.senderAwsIoMs} ms – ` +
        `and a sender also the vendor's answer (${inputs.vendorMs} ms; a batch's calls at once), plus the CPU of the requests the rules need at a bare ` +
        `request's ${inputs.requestCpuMs.toFixed(2)} ms each (the conversion's ${conversionRequests}: the order's write, ${attributionQueries} attribution reads, ${vendors} sends; ` +
        `a sender's 2 per message: the claim and the record), billed at ${SMALLEST_MEMORY_MB} MB`,
    },
  ];
  return withFloor(`per million conversions (${vendors} vendors)`, lines, floorLines, keptPart(stored, facts.pitr, `conversion (the order and its ${vendors} deliveries)`));
}

/** Fixed monthly cost: custom metrics and alarms (and the rest of the idle items), not per million. */
export interface MonthlyItem {
  item: string;
  usdPerMonth: number;
  basis: string;
}

export function monthlyItems(inputs: { metricSeries: number; metricFilters: number; alarmMetrics: number; alarms: number; dashboards: number; secrets: number }): MonthlyItem[] {
  const metrics = inputs.metricSeries + inputs.metricFilters;
  return [
    {
      item: 'Custom metrics',
      usdPerMonth: metrics * PRICES.cloudwatchMetric.usd,
      basis: `${inputs.metricSeries} EMF series the run emitted (metric × destination) + ${inputs.metricFilters} from log metric filters (template); a failing delivery adds its failed/retrying series`,
    },
    { item: 'CloudWatch alarms', usdPerMonth: inputs.alarmMetrics * PRICES.cloudwatchAlarm.usd, basis: `${inputs.alarms} alarms watching ${inputs.alarmMetrics} metrics (template)` },
    { item: 'CloudWatch dashboard', usdPerMonth: inputs.dashboards * PRICES.cloudwatchDashboard.usd, basis: `${inputs.dashboards} (free if the account has fewer than 3)` },
    { item: 'Secrets Manager', usdPerMonth: inputs.secrets * PRICES.secretsManagerSecret.usd, basis: `${inputs.secrets} secret(s)` },
  ];
}

/**
 * Cost per million calls of a growth scenario (one call = one API request), the API part of the model, with the
 * given AWS I/O wait.
 */
export function scenarioUsdPerMillion(s: ScenarioCount, memoryMb: number, facts: ModelFacts, ioMs: number): { usd: number; ioMs: number } {
  const cpu = s.cpuMs / s.calls;
  const lines = apiLines(s, cpu, ioMs, memoryMb, 0, facts);
  return { usd: lines.reduce((a, l) => a + l.typical, 0), ioMs };
}
