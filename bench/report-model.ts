/**
 * The figures of docs/PERFORMANCE.md that come from the request counts (bench/measured-requests.ts), the cost model
 * (bench/cost-model.ts) and the pipeline simulation (bench/simulate.ts): the request table and its hash, the cost and
 * floor tables at both volumes, how cost grows, and the capacity of three loads.
 */
import { DEFAULT_API_THROTTLE } from '../lambdas/contract/throttle';
import { deliveryQueueSettings } from '../lambdas/contract/shape';
import type { TrackingConfig } from '../lambdas/config/schema';
import { billedMs, conversionModel, describeOps, ModelCost, ModelFacts, ModelInputs, ModelLine, MonthlyItem, scenarioUsdPerMillion, senderInvocationMs } from './cost-model';
import { hashLine, MeasuredRequests, ScenarioCount, ScenarioId } from './measured-requests';
import { ASSUMPTIONS, PRICES } from './prices';
import { simulate, SimulationInput, SimulationResult } from './simulate';
import { fixed, usd } from './stats';

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
export function mdTable(header: string[], rows: Array<Array<string | number>>, align?: string[]): string {
  return [row(header), row(align ?? header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(row)].join('\n');
}

const per = (s: ScenarioCount, n: number) => n / s.calls;
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const num = (n: number) => String(Number(n.toFixed(2)));

/** Section 2's table: what one call of each scenario does on AWS. */
export function requestTable(m: MeasuredRequests): string {
  return mdTable(
    ['Scenario (per call)', 'Requests', 'WRU', 'RRU (strong reads)', 'Refused writes', 'Log lines / bytes', 'EMF records / bytes'],
    Object.values(m.scenarios).map((s) => [
      s.label,
      describeOps(s),
      num(per(s, s.writeUnits)),
      `${num(per(s, s.readUnits))} (${num(per(s, s.strongReads))})`,
      num(per(s, s.refusedWrites)),
      `${num(per(s, s.logLines))} / ${fixed(per(s, s.logBytes), 0)} B`,
      `${num(per(s, s.emfLines))} / ${fixed(per(s, s.emfBytes), 0)} B`,
    ]),
    ['---', '---', '---:', '---:', '---:', '---:', '---:'],
  );
}

export { hashLine };

export function costTable(c: ModelCost): string {
  const both = (t: number, h: number) => (Math.abs(t - h) < 1e-12 ? [usd(t), usd(h)] : [usd(t), usd(h)]);
  return mdTable(
    ['Item', 'Typical (batches of 1)', 'High volume (batches of 10)', 'Basis (measured in this run unless said)'],
    [
      ...c.lines.map((l) => [l.item, ...both(l.typical, l.high), l.basis]),
      ['**Handling**', `**${usd(c.total.typical)}**`, `**${usd(c.total.high)}**`, 'judged against the floor below'],
      ['Keeping what it leaves (below)', usd(c.kept.total), usd(c.kept.total), 'storage and PITR over the retention'],
      ['**Total**', `**${usd(c.total.typical + c.kept.total)}**`, `**${usd(c.total.high + c.kept.total)}**`, ''],
    ],
    ['---', '---:', '---:', '---'],
  );
}

export function floorTable(c: ModelCost): string {
  return mdTable(
    ['Floor line', 'Typical', 'High volume', 'Rule'],
    [
      ...c.floor.lines.map((l) => [l.item, usd(l.typical), usd(l.high), l.basis]),
      ['**Floor**', `**${usd(c.floor.total.typical)}**`, `**${usd(c.floor.total.high)}**`, ''],
      ['**Handling ÷ floor**', `**${fixed(c.ratio.typical, 2)}**`, `**${fixed(c.ratio.high, 2)}**`, 'target ≤ 1.10'],
    ],
    ['---', '---:', '---:', '---'],
  );
}

/** Keeping what a million calls leave, as stored and as the floor's records would weigh, over the same retention. */
export function keptTable(c: ModelCost): string {
  const rows = c.kept.lines.map((l, i) => [l.item, usd(l.typical), usd(c.kept.floorLines[i]?.typical ?? 0), l.basis]);
  return mdTable(
    ['Item', 'As stored', 'Floor records', 'Basis'],
    [
      ...rows,
      ['**Kept**', `**${usd(c.kept.total)}**`, `**${usd(c.kept.floorTotal)}**`, c.kept.floorLines[0]?.basis ?? ''],
      ['**Kept ÷ its floor**', `**${fixed(c.kept.ratio, 2)}**`, '', 'reported, no target: what is kept is the contract (retentionDays, the status route, replay)'],
    ],
    ['---', '---:', '---:', '---'],
  );
}

export function monthlyTable(items: MonthlyItem[]): string {
  return mdTable(['Item', '$ per month', 'Basis'], items.map((i) => [i.item, usd(i.usdPerMonth), i.basis]), ['---', '---:', '---']);
}

/**
 * What handling costs above its floor, by kind: the Lambda time beyond the floor's waits and requests, cold starts,
 * the logs and metric records (no floor line: the architecture's rules need none), the reads beyond attribution's, and
 * the rest (requests, writes, queues – equal to the floor's when the code makes only the requests the rules need).
 */
export function aboveFloor(c: ModelCost): Array<{ label: string; typical: number; high: number }> {
  const groups: Array<{ label: string; line: RegExp; floor: RegExp | undefined }> = [
    { label: 'Lambda time beyond the floor\'s waits and requests', line: /Lambda duration/, floor: /Lambda time/ },
    { label: 'Cold starts (INIT)', line: /INIT/, floor: undefined },
    { label: 'Logs and metric records (access log included)', line: /CloudWatch Logs|EMF|access log/, floor: undefined },
    { label: 'Reads beyond attribution\'s', line: /DynamoDB reads/, floor: /reads/ },
  ];
  const sum = (lines: ModelLine[], re: RegExp | undefined, key: 'typical' | 'high') => (re ? lines.filter((l) => re.test(l.item)).reduce((a, l) => a + l[key], 0) : 0);
  const claimed = (l: ModelLine, floor: boolean) => groups.some((g) => (floor ? g.floor : g.line)?.test(l.item));
  const rows = groups.map((g) => ({ label: g.label, typical: sum(c.lines, g.line, 'typical') - sum(c.floor.lines, g.floor, 'typical'), high: sum(c.lines, g.line, 'high') - sum(c.floor.lines, g.floor, 'high') }));
  const rest = (key: 'typical' | 'high') => c.lines.filter((l) => !claimed(l, false)).reduce((a, l) => a + l[key], 0) - c.floor.lines.filter((l) => !claimed(l, true)).reduce((a, l) => a + l[key], 0);
  rows.push({ label: 'Requests, writes and queues beyond the floor\'s', typical: rest('typical'), high: rest('high') });
  // Sums of the same prices in another order differ in the last bits: no one reads 1.8e-15 dollars.
  const clean = (x: number) => (Math.abs(x) < 1e-9 ? 0 : x);
  return rows.map((r) => ({ ...r, typical: clean(r.typical), high: clean(r.high) }));
}

export function aboveFloorTable(c: ModelCost): string {
  const rows = aboveFloor(c);
  const excess = { typical: c.total.typical - c.floor.total.typical, high: c.total.high - c.floor.total.high };
  const budget = { typical: c.floor.total.typical * 0.1, high: c.floor.total.high * 0.1 };
  return mdTable(
    ['Above the floor', 'Typical', 'High volume'],
    [
      ...rows.map((r) => [r.label, usd(r.typical), usd(r.high)]),
      ['**Handling − floor**', `**${usd(excess.typical)}**`, `**${usd(excess.high)}**`],
      ['What 1.10 × the floor allows above it', usd(budget.typical), usd(budget.high)],
    ],
    ['---', '---:', '---:'],
  );
}

/** Where each euro of the typical conversion goes beyond the floor: the biggest lines, for the prose. */
export function largestLines(c: ModelCost, n: number): string {
  return [...c.lines]
    .sort((a, b) => b.typical - a.typical)
    .slice(0, n)
    .map((l) => `${l.item} ${usd(l.typical)}`)
    .join(', ');
}

const GROWTH: Array<{ id: ScenarioId; label: string }> = [
  { id: 'capture1', label: 'capture, 1 key × 1 id (1 record)' },
  { id: 'capture3', label: 'capture, 1 key × 3 ids (3 records)' },
  { id: 'capture10', label: 'capture, 2 keys × 5 ids (10 records)' },
  { id: 'conversion1', label: 'conversion, 1 linked session' },
  { id: 'conversion10', label: 'conversion, 10 linked sessions' },
  { id: 'conversion100', label: 'conversion, 100 linked sessions' },
];

export function growthTable(m: MeasuredRequests, facts: ModelFacts): string {
  return mdTable(
    ['Call', 'Requests', 'WRU', 'RRU', 'Handler wall time (local)', 'Billed ms (AWS model)', '$ per million (API function part)'],
    GROWTH.map(({ id, label }) => {
      const s = m.scenarios[id];
      const memory = id.startsWith('capture') ? facts.memoryMb.capture : facts.memoryMb.conversion;
      const base = id.startsWith('capture') ? ASSUMPTIONS.captureAwsIoMs : ASSUMPTIONS.conversionAwsIoMs;
      // The AWS I/O of the ordinary call, plus however much longer this one waited on the local services.
      const reference = id.startsWith('capture') ? m.scenarios.capture1 : m.scenarios.conversion1;
      const localIo = (x: ScenarioCount) => Math.max(0, (x.wallMs - x.cpuMs) / x.calls);
      const cost = scenarioUsdPerMillion(s, memory, facts, Math.ceil(base + Math.max(0, localIo(s) - localIo(reference))));
      return [
        label,
        `${num(per(s, sum(s.dynamo) + sum(s.sqs)))}: ${describeOps(s)}`,
        num(per(s, s.writeUnits)),
        num(per(s, s.readUnits)),
        `${fixed(s.wallMs / s.calls, 1)} ms`,
        `${billedMs(s.cpuMs / s.calls, cost.ioMs, memory)} ms`,
        usd(cost.usd),
      ];
    }),
    ['---', '---', '---:', '---:', '---:', '---:', '---:'],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Capacity

export const LOADS = [
  { name: 'small shop', conversionsPerSecond: 1 / 60, capturesPerSecond: 20 / 60, seconds: 3600 },
  { name: 'large shop', conversionsPerSecond: 20, capturesPerSecond: 500, seconds: 120 },
  { name: 'peak (for an hour)', conversionsPerSecond: 1000, capturesPerSecond: 10_000, seconds: 20 },
] as const;

/** AWS's default quotas the capacity table is held against. */
export const QUOTAS = {
  lambdaConcurrency: 1000,
  apiGatewayRps: 10_000,
  apiGatewayBurst: 5000,
  dynamoTableWru: 40_000,
  dynamoTableRru: 40_000,
  dynamoPartitionWcu: 1000,
} as const;

/** A vendor's response time: median and p99 (log-normal between). */
export const VENDOR_PROFILES = [
  { label: '150 ms', medianMs: 150, p99Ms: 450 },
  { label: '300 ms', medianMs: 300, p99Ms: 900 },
] as const;

/** Simulated minutes of arrivals: long enough for a growing backlog to show in the percentiles. */
export const RAPTOR_SECONDS = 120;
/** Order lines of the Raptor order in the simulation: one call each. */
export const RAPTOR_LINES = 3;
/** Lambda's own hand-over per invocation (invoke, event source): not measurable locally, taken as 10 ms. */
export const INVOCATION_OVERHEAD_MS = 10;

export interface PipelineSettings {
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number;
  parallelCalls: number;
}

export function deployedSettings(config: TrackingConfig): PipelineSettings {
  const s = deliveryQueueSettings(config.delivery) as ReturnType<typeof deliveryQueueSettings> & { parallelCalls?: number };
  return { batchSize: s.batchSize, batchingWindowSeconds: s.maxBatchingWindowSeconds, maxConcurrency: s.maxConcurrency, parallelCalls: s.parallelCalls ?? 1 };
}
export const BEFORE_SETTINGS: PipelineSettings = { batchSize: 10, batchingWindowSeconds: 1, maxConcurrency: 3, parallelCalls: 1 };

export interface CapacityInputs {
  measured: MeasuredRequests;
  facts: ModelFacts;
  cpuMs: { capture: number; conversion: number };
  settings: PipelineSettings;
}

/** The sender's CPU per message at its memory's CPU share, measured at batch 10. */
function senderCpuMsPerMessage(inputs: CapacityInputs): number {
  const s = inputs.measured.scenarios.senderBatch10;
  return (s.cpuMs / s.calls) / Math.min(1, inputs.facts.memoryMb.sender / ASSUMPTIONS.fullVcpuAtMb);
}

export function pipelineInput(inputs: CapacityInputs, settings: PipelineSettings, rate: number, seconds: number, vendor: { medianMs: number; p99Ms: number }, calls: number): SimulationInput {
  return {
    seed: 20261206,
    arrivalsPerSecond: rate,
    seconds,
    batchSize: settings.batchSize,
    batchingWindowSeconds: settings.batchingWindowSeconds,
    maxConcurrency: settings.maxConcurrency,
    invocationOverheadMs: INVOCATION_OVERHEAD_MS,
    cpuMsPerMessage: senderCpuMsPerMessage(inputs),
    dynamoMsPerMessage: ASSUMPTIONS.senderAwsIoMs,
    vendor,
    callsPerMessage: calls,
    parallelCalls: settings.parallelCalls,
  };
}

export interface CapacityRow {
  load: (typeof LOADS)[number];
  captureConcurrency: number;
  conversionConcurrency: number;
  /** Sender concurrency per vendor: the mean in use, or – when the queue grows at the deployed cap – what keeping up takes. */
  senderConcurrencyPerVendor: number;
  senderNeeded?: number;
  lambdaConcurrency: number;
  wruPerSecond: number;
  rruPerSecond: number;
  sim: SimulationResult;
  quotas: string[];
}

export function capacityRows(inputs: CapacityInputs): CapacityRow[] {
  const { measured: m, facts } = inputs;
  const vendors = m.vendors.length;
  const captureMs = billedMs(inputs.cpuMs.capture, ASSUMPTIONS.captureAwsIoMs, facts.memoryMb.capture);
  const conversionMs = billedMs(inputs.cpuMs.conversion, ASSUMPTIONS.conversionAwsIoMs, facts.memoryMb.conversion);
  const capture = m.scenarios.capture1;
  const conversion = m.scenarios.conversion1;
  const sender = m.scenarios.senderBatch10;
  return LOADS.map((load) => {
    const sim = simulate(pipelineInput(inputs, inputs.settings, load.conversionsPerSecond, load.seconds, VENDOR_PROFILES[0], 1));
    // Saturated, each invocation slot drains drainPerSecond ÷ maxConcurrency: what keeping up would take.
    const senderNeeded = growing(sim, load.conversionsPerSecond) ? Math.ceil((load.conversionsPerSecond * inputs.settings.maxConcurrency) / Math.max(1e-9, sim.drainPerSecond)) : undefined;
    const senderConcurrencyPerVendor = senderNeeded ?? Math.min(inputs.settings.maxConcurrency, sim.utilisation * inputs.settings.maxConcurrency);
    const captureConcurrency = (load.capturesPerSecond * captureMs) / 1000;
    const conversionConcurrency = (load.conversionsPerSecond * conversionMs) / 1000;
    const lambdaConcurrency = captureConcurrency + conversionConcurrency + vendors * senderConcurrencyPerVendor;
    const wruPerSecond = load.capturesPerSecond * per(capture, capture.writeUnits) + load.conversionsPerSecond * (per(conversion, conversion.writeUnits) + vendors * per(sender, sender.writeUnits));
    const rruPerSecond = load.capturesPerSecond * per(capture, capture.readUnits) + load.conversionsPerSecond * (per(conversion, conversion.readUnits) + vendors * per(sender, sender.readUnits));
    const rps = load.capturesPerSecond + load.conversionsPerSecond;
    const quotas: string[] = [];
    if (lambdaConcurrency > 0.8 * QUOTAS.lambdaConcurrency) quotas.push(`Lambda concurrent executions (default ${QUOTAS.lambdaConcurrency}; needs ${fixed(lambdaConcurrency, 0)} + headroom)`);
    if (rps > 0.8 * QUOTAS.apiGatewayRps) quotas.push(`API Gateway account throttle (default ${QUOTAS.apiGatewayRps} rps, burst ${QUOTAS.apiGatewayBurst}; needs ${fixed(rps, 0)} rps)`);
    const captureThrottle = DEFAULT_API_THROTTLE.capture.rateLimit;
    const conversionThrottle = DEFAULT_API_THROTTLE.conversion.rateLimit;
    if (load.capturesPerSecond > captureThrottle || load.conversionsPerSecond > conversionThrottle) {
      quotas.push(`the stack's own route throttles (api.throttle: capture ${captureThrottle}/s, conversion ${conversionThrottle}/s by default)`);
    }
    if (wruPerSecond > 0.8 * QUOTAS.dynamoTableWru || rruPerSecond > 0.8 * QUOTAS.dynamoTableRru) quotas.push(`DynamoDB on-demand table throughput (default ${QUOTAS.dynamoTableWru} WRU/s and RRU/s per table)`);
    if (senderNeeded !== undefined) {
      quotas.push(`each vendor's \`concurrency\` – its queue grows by ${fixed(sim.queueGrowthPerSecond, 0)} messages/s at ${inputs.settings.maxConcurrency}; keeping up takes about ${senderNeeded}, if the vendor takes that many calls at once`);
    }
    return { load, captureConcurrency, conversionConcurrency, senderConcurrencyPerVendor, senderNeeded, lambdaConcurrency, wruPerSecond, rruPerSecond, sim, quotas };
  });
}

/** A backlog that grows by more than 1 % of the arrivals: the pipeline does not keep up. */
const growing = (sim: SimulationResult, arrivalsPerSecond: number) => sim.queueGrowthPerSecond > 0.01 * arrivalsPerSecond;

const rate = (perSecond: number) => (perSecond < 1 ? `${fixed(perSecond * 60, 0)}/min` : `${fixed(perSecond, 0)}/s`);

export function capacityTable(rows: CapacityRow[]): string {
  return mdTable(
    ['Load', 'Captures / conversions', 'Concurrency: capture / conversion / senders per vendor', 'Lambda concurrency (all)', 'DynamoDB WRU/s / RRU/s', 'Per-vendor drain', 'Queue growth', 'Delivery p50 / p99', 'Quotas to raise first'],
    rows.map((r) => [
      r.load.name,
      `${rate(r.load.capturesPerSecond)} / ${rate(r.load.conversionsPerSecond)}`,
      `${fixed(r.captureConcurrency, 1)} / ${fixed(r.conversionConcurrency, 1)} / ${r.senderNeeded !== undefined ? `${r.senderNeeded} needed` : fixed(r.senderConcurrencyPerVendor, 2)}`,
      fixed(r.lambdaConcurrency, 1),
      `${fixed(r.wruPerSecond, 1)} / ${fixed(r.rruPerSecond, 1)}`,
      rate(r.sim.drainPerSecond),
      growing(r.sim, r.load.conversionsPerSecond) ? `+${fixed(r.sim.queueGrowthPerSecond, 0)}/s` : 'none',
      `${fixed(r.sim.p50Ms / 1000, 2)} / ${fixed(r.sim.p99Ms / 1000, 2)} s${growing(r.sim, r.load.conversionsPerSecond) ? ' (growing)' : ''}`,
      r.quotas.length ? r.quotas.join('; ') : 'none',
    ]),
    ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---'],
  );
}

/** Raptor (RAPTOR_LINES calls per order) at 20 conversions/s, before and after the per-destination settings. */
export function raptorTable(inputs: CapacityInputs, before: PipelineSettings, after: PipelineSettings): string {
  const rows: Array<Array<string | number>> = [];
  for (const vendor of VENDOR_PROFILES) {
    for (const [label, settings] of [
      ['before', before],
      ['after', after],
    ] as const) {
      const sim = simulate(pipelineInput(inputs, settings, 20, RAPTOR_SECONDS, vendor, RAPTOR_LINES));
      rows.push([
        `${vendor.label} (p99 ${vendor.p99Ms} ms)`,
        `${label}: batch ${settings.batchSize}, window ${settings.batchingWindowSeconds} s, concurrency ${settings.maxConcurrency}, ${settings.parallelCalls === 1 ? 'lines one after another' : `${settings.parallelCalls} lines at once`}`,
        `${fixed(sim.drainPerSecond, 1)}/s`,
        growing(sim, 20) ? `+${fixed(sim.queueGrowthPerSecond, 1)}/s (${fixed((sim.queueGrowthPerSecond * 3600) / 1000, 0)} k an hour)` : 'none',
        `${fixed(sim.p50Ms / 1000, 2)} / ${fixed(sim.p99Ms / 1000, 2)} s`,
        fixed(sim.utilisation, 2),
      ]);
    }
  }
  return mdTable(['Vendor answers in', 'Settings', 'Drain', 'Queue growth', `Delivery p50 / p99 (${RAPTOR_SECONDS / 60} min of arrivals)`, 'Sender utilisation'], rows, ['---', '---', '---:', '---:', '---:', '---:']);
}

export function senderTimes(inputs: CapacityInputs): { cpuMsPerMessage: number; batchMs: number } {
  const s = inputs.measured.scenarios.senderBatch10;
  return { cpuMsPerMessage: senderCpuMsPerMessage(inputs), batchMs: senderInvocationMs(s.cpuMs / s.invocations, 150, inputs.facts.memoryMb.sender) };
}

export const PRICE_NOTE = `${usd(PRICES.dynamoWrite.usd)} per million WRU`;

/**
 * What a sale that went well would cost without its metric records: the conversion's one per destination and the
 * senders' one per batch dropped, every other count as measured. What the service would print if the delivery-ratio
 * alarm took its counts from elsewhere (docs/PERFORMANCE.md section 7, "What 1.10 × the floor would take").
 */
export function withoutSaleRecords(inputs: ModelInputs): ModelInputs {
  const quiet = (s: ScenarioCount): ScenarioCount => ({ ...s, emfLines: 0, emfBytes: 0 });
  const scenarios = inputs.measured.scenarios;
  return {
    ...inputs,
    measured: {
      ...inputs.measured,
      scenarios: { ...scenarios, conversion1: quiet(scenarios.conversion1), senderBatch1: quiet(scenarios.senderBatch1), senderBatch10: quiet(scenarios.senderBatch10) },
    },
  };
}

/** The same inputs with other memory sizes for some functions. */
export function withMemory(inputs: ModelInputs, memoryMb: Partial<ModelFacts['memoryMb']>): ModelInputs {
  return { ...inputs, facts: { ...inputs.facts, memoryMb: { ...inputs.facts.memoryMb, ...memoryMb } } };
}

/** The run's inputs with `changes` applied in turn. */
export function withChanges(inputs: ModelInputs, changes: ReadonlyArray<(i: ModelInputs) => ModelInputs>): ModelInputs {
  return changes.reduce((i, change) => change(i), inputs);
}

/** A conversion's handling ÷ its floor at both volumes, once `changes` are applied to the run's inputs in turn. */
export function conversionRatioWith(inputs: ModelInputs, changes: ReadonlyArray<(i: ModelInputs) => ModelInputs>): { typical: number; high: number } {
  return conversionModel(withChanges(inputs, changes)).ratio;
}

/** Messages a second one vendor's senders drain at `maxConcurrency` full batches of `batchSize` at `memoryMb` (no vendor limit). */
export function senderDrainPerSecond(batchCpuMs: number, vendorMs: number, memoryMb: number, maxConcurrency: number, batchSize: number): number {
  return (maxConcurrency * batchSize * 1000) / senderInvocationMs(batchCpuMs, vendorMs, memoryMb);
}
