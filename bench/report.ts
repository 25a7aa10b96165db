/**
 * Turns the measurements into docs/PERFORMANCE.md and a console summary. The document's prose is
 * bench/PERFORMANCE.template.md; this module computes the figures and tables its placeholders name and fills them in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleReport, FunctionInit, FunctionName, VariantComparison } from './bundles';
import { ALTERNATIVES, billedMs, StackFacts, xraySampledShare } from './cost';
import { conversionModel, type ModelCost, type ModelFacts, type ModelInputs, type MonthlyItem, senderInvocationMs } from './cost-model';
import type { MeasuredRequests } from './measured-requests';
import {
  CapacityInputs,
  capacityRows,
  capacityTable,
  costTable,
  floorTable,
  keptTable,
  growthTable,
  hashLine,
  INVOCATION_OVERHEAD_MS,
  largestLines,
  aboveFloorTable,
  conversionRatioWith,
  monthlyTable,
  PipelineSettings,
  QUOTAS,
  RAPTOR_LINES,
  raptorTable,
  requestTable,
  senderDrainPerSecond,
  senderTimes,
  withChanges,
  withMemory,
  withoutSaleRecords,
} from './report-model';
import type { CaptureCpuRatio, CpuReport } from './cpu';
import type { LatencyReport } from './latency';
import { ASSUMPTIONS, HOSTED_TAGGING_SOURCE, PRICES, SGTM_CLOUD_RUN } from './prices';
import type { SenderReport } from './senders';
import { LIMITS } from './setup';
import { fixed, kib, median, meets, usd, verdict } from './stats';
import type { ThroughputReport } from './throughput';
import type { TlsCost } from './tls';

/** The template of docs/PERFORMANCE.md, beside this module. */
export const TEMPLATE_NAME = 'PERFORMANCE.template.md';

export const TARGETS = {
  initRatio: 1.15,
  captureThroughputRatio: 0.8,
  deliveryP99Ms: 1000,
  /** Cost ÷ the architecture's floor, captures and conversions, at both volumes. */
  costRatio: 1.1,
  /** Warm CPU of a capture ÷ a bare PutItem through the same client. */
  captureCpuRatio: 1.25,
} as const;

/** Memory sizes compared for the API functions, and the cold-start budget that picks among them. */
export const MEMORY_CANDIDATES = [128, 256, 512, 1024, 1769] as const;
/** A cold start of an API function should stay well inside the shop backend's patience: half a second of init. */
export const API_INIT_BUDGET_MS = 500;

export interface Machine {
  date: string;
  cores: number;
  cpuModel: string;
  node: string;
  loadAverage: number[];
}

export interface BenchResults {
  machine: Machine;
  bundles: BundleReport;
  cpu: CpuReport;
  throughput: ThroughputReport;
  latency: LatencyReport;
  senders: SenderReport;
  facts: StackFacts;
  /** Warm capture CPU against a bare PutItem in alternating rounds (bench/cpu.ts measureCaptureCpu). */
  captureCpu?: CaptureCpuRatio;
  /** A vendor call's TLS handshake on the client (bench/tls.ts); the sandbox's calls are plain HTTP. */
  tls: TlsCost;
  model: ModelResults;
  memoryChoice: MemoryChoice;
  totalSeconds: number;
}

/** The cost model and capacity inputs of one run (bench/cost-model.ts, bench/report-model.ts). */
export interface ModelResults {
  measured: MeasuredRequests;
  facts: ModelFacts;
  capture: ModelCost;
  conversion: ModelCost;
  monthly: MonthlyItem[];
  cpuMs: { capture: number; conversion: number };
  /** What the model was computed from: section 6 computes the senders' cost again at other memory sizes. */
  inputs: ModelInputs;
  /** A vendor call's timeout in the benchmark's configuration (`delivery.timeoutMs`, its default). */
  vendorTimeoutMs: number;
  /** The sender settings the stack deploys by default (after) and those before per-destination settings. */
  after: PipelineSettings;
  before: PipelineSettings;
}

/**
 * The API functions by the call they are sized for: the capture's (one or two DynamoDB requests: capture, identify,
 * status, deliveries) or the conversion's (reads, writes and queue sends: conversion, cancellation). Each class gets
 * the size its slowest cold start and its call choose (API_MEMORY_MB in lib/tracking-stack.ts).
 */
export const API_MEMORY_CLASSES = {
  capture: ['capture', 'identify', 'status', 'deliveries'],
  conversion: ['conversion', 'cancellation'],
} as const;
export type ApiMemoryClass = keyof typeof API_MEMORY_CLASSES;

export interface MemoryRow {
  memoryMb: number;
  captureMs: number;
  captureUsd: number;
  conversionMs: number;
  conversionUsd: number;
  /** The slowest init of each class at this size. */
  initMs: Record<ApiMemoryClass, number>;
  /** What a shop's backend waits on a cold call: the class's slowest init plus its call, at this size. */
  coldStartMs: Record<ApiMemoryClass, number>;
  /** Lambda cost of a million calls of the class, its 1 % cold starts' init included. */
  totalUsd: Record<ApiMemoryClass, number>;
}

export interface MemoryChoice {
  rows: MemoryRow[];
  chosenMb: Record<ApiMemoryClass, number>;
  deployedMb: Record<ApiMemoryClass, number>;
  /** The cheapest size of all, whatever its cold start. */
  cheapestMb: Record<ApiMemoryClass, number>;
}

/**
 * Per class, the cheapest size whose cold start stays within API_INIT_BUDGET_MS. `cpuMs`: warm CPU of a capture and a
 * conversion; `initCpuMs`: init CPU of every API function (bench/bundles.ts).
 */
export function chooseApiMemory(cpuMs: { capture: number; conversion: number }, initCpuMs: Record<string, number>, deployedMb: Record<ApiMemoryClass, number>): MemoryChoice {
  const classes = Object.keys(API_MEMORY_CLASSES) as ApiMemoryClass[];
  const slowestInit = (c: ApiMemoryClass) => Math.max(...API_MEMORY_CLASSES[c].map((name) => initCpuMs[name] ?? 0));
  const rows = MEMORY_CANDIDATES.map((memoryMb): MemoryRow => {
    const callMs = { capture: billedMs(cpuMs.capture, ASSUMPTIONS.captureAwsIoMs, memoryMb), conversion: billedMs(cpuMs.conversion, ASSUMPTIONS.conversionAwsIoMs, memoryMb) };
    const cost = (ms: number) => 1e6 * ((ms / 1000) * (memoryMb / 1024) * PRICES.lambdaArmGbSecond.usd) + PRICES.lambdaRequests.usd;
    const initMs = Object.fromEntries(classes.map((c) => [c, billedMs(slowestInit(c), 0, memoryMb)])) as Record<ApiMemoryClass, number>;
    const initUsd = (c: ApiMemoryClass) => 1e6 * ASSUMPTIONS.coldStartShare * (initMs[c] / 1000) * (memoryMb / 1024) * PRICES.lambdaInitBilled.usd;
    return {
      memoryMb,
      captureMs: callMs.capture,
      captureUsd: cost(callMs.capture),
      conversionMs: callMs.conversion,
      conversionUsd: cost(callMs.conversion),
      initMs,
      coldStartMs: Object.fromEntries(classes.map((c) => [c, initMs[c] + callMs[c]])) as Record<ApiMemoryClass, number>,
      totalUsd: Object.fromEntries(classes.map((c) => [c, cost(callMs[c]) + initUsd(c)])) as Record<ApiMemoryClass, number>,
    };
  });
  const cheapest = (list: MemoryRow[], c: ApiMemoryClass) => list.reduce((best, r) => (r.totalUsd[c] < best.totalUsd[c] ? r : best)).memoryMb;
  const choose = (c: ApiMemoryClass) => {
    const within = rows.filter((r) => r.coldStartMs[c] <= API_INIT_BUDGET_MS);
    return cheapest(within.length ? within : rows, c);
  };
  return {
    rows,
    chosenMb: { capture: choose('capture'), conversion: choose('conversion') },
    deployedMb,
    cheapestMb: { capture: cheapest(rows, 'capture'), conversion: cheapest(rows, 'conversion') },
  };
}

type Values = Record<string, string | number>;
/** Fills a named part of the template; see fillTemplate. */
type Part = (name: string, values?: Values) => string;

/**
 * Replaces each `{{name}}` in `template` with `values[name]`, in one pass (a value is never read as a placeholder).
 * A placeholder without a value, or a value without a placeholder, throws and names it: the report can neither show
 * a blank where a figure belongs nor drop a figure without anyone noticing.
 */
export function fillTemplate(template: string, values: Values, what = 'template'): string {
  const unused = new Set(Object.keys(values));
  const filled = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw new Error(`${what}: no value for the placeholder {{${name}}}`);
    unused.delete(name);
    return String(value);
  });
  if (unused.size > 0) throw new Error(`${what}: no placeholder for ${[...unused].map((name) => `{{${name}}}`).join(', ')}`);
  return filled;
}

/** The template's parts by name: each runs from its `<!-- part: name -->` line to the next marker, blank lines around it trimmed. */
export function templateParts(text: string): Record<string, string> {
  const [, ...pieces] = text.replace(/\r\n/g, '\n').split(/^<!-- part: (\w+) -->$/m);
  const parts: Record<string, string> = {};
  for (let i = 0; i < pieces.length; i += 2) {
    const name = pieces[i]!;
    if (Object.hasOwn(parts, name)) throw new Error(`${TEMPLATE_NAME}: two parts named "${name}"`);
    parts[name] = pieces[i + 1]!.replace(/^\n+|\n+$/g, '');
  }
  return parts;
}

/** The parts of bench/PERFORMANCE.template.md. */
export function readTemplate(): Record<string, string> {
  return templateParts(readFileSync(join(__dirname, TEMPLATE_NAME), 'utf8'));
}

function partFiller(parts: Record<string, string>): Part {
  return (name, values = {}) => {
    const text = Object.hasOwn(parts, name) ? parts[name] : undefined;
    if (text === undefined) throw new Error(`${TEMPLATE_NAME} has no part "${name}"`);
    return fillTemplate(text, values, `${TEMPLATE_NAME}, part "${name}"`);
  };
}

/** The values of all sections together; a name given twice would fill its placeholder with either, so it throws. */
function merged(...sections: Values[]): Values {
  const all: Values = {};
  for (const section of sections) {
    for (const [name, value] of Object.entries(section)) {
      if (Object.hasOwn(all, name)) throw new Error(`two values for the placeholder {{${name}}}`);
      all[name] = value;
    }
  }
  return all;
}

/** A passage placed on the line after a table brings the blank line that separates it from the table. */
const afterTable = (passage: string) => `\n${passage}\n`;

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;

function table(header: string[], rows: Array<Array<string | number>>, align?: string[]): string {
  return [row(header), row(align ?? header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(row)].join('\n');
}

function targetsTable(r: BenchResults): { markdown: string; lines: string[] } {
  const worstInit = r.bundles.functions.reduce((a, b) => (b.ratioCpu > a.ratioCpu ? b : a));
  const at = (c: number) => r.throughput.levels.find((l) => l.concurrency === c);
  // The alternating rounds' median ratio when measured; else the ratio of the two medians of section 2.
  const captureCpu = r.captureCpu?.capture.cpuMs.p50 ?? r.cpu.handlers.find((h) => h.name === 'capture')!.cpuMs.p50;
  const bareCpu = r.captureCpu?.bareWrite.cpuMs.p50 ?? r.cpu.bareWrite.cpuMs.p50;
  const captureRatio = r.captureCpu?.ratio ?? captureCpu / bareCpu;
  const rows: Array<[string, string, boolean]> = [
    [
      `Module init ≤ ${TARGETS.initRatio} × SDK-client floor (every function; CPU time)`,
      `worst: ${worstInit.name} ${verdict(worstInit.ratioCpu, TARGETS.initRatio, 'max')}`,
      r.bundles.functions.every((f) => meets(f.ratioCpu, TARGETS.initRatio, 'max')),
    ],
    ...([8, 32] as const).map((c): [string, string, boolean] => [
      `Capture throughput ≥ ${TARGETS.captureThroughputRatio} × raw PutItem at concurrency ${c}`,
      at(c) ? verdict(at(c)!.captureRatio, TARGETS.captureThroughputRatio, 'min') : '–',
      !!at(c) && meets(at(c)!.captureRatio, TARGETS.captureThroughputRatio, 'min'),
    ]),
    [
      `Delivery p99 ≤ ${TARGETS.deliveryP99Ms} ms at ${r.latency.rate} conversions/s`,
      `${fixed(r.latency.p99Ms, 0)} ms ${r.latency.delivered === r.latency.deliveries ? '' : `(${r.latency.deliveries - r.latency.delivered} of ${r.latency.deliveries} not delivered)`}`.trim() +
        (r.latency.p99Ms <= TARGETS.deliveryP99Ms && r.latency.delivered === r.latency.deliveries ? ' ✔' : ' ✘'),
      r.latency.p99Ms <= TARGETS.deliveryP99Ms && r.latency.delivered === r.latency.deliveries,
    ],
    ...(['capture', 'conversion'] as const).flatMap((kind) =>
      (['typical', 'high'] as const).map((volume): [string, string, boolean] => {
        const c = r.model[kind];
        return [
          `${kind === 'capture' ? 'Captures' : 'Conversions'}, ${volume === 'typical' ? 'typical volume (batches of 1)' : 'high volume (batches of 10)'}: handling cost ≤ ${TARGETS.costRatio} × floor`,
          `${usd(c.total[volume])} ÷ ${usd(c.floor.total[volume])} per million = ${verdict(c.ratio[volume], TARGETS.costRatio, 'max')}; keeping what it leaves ${usd(c.kept.total)} more (${fixed(c.kept.ratio, 2)} × its floor's records, section 7)` +
            (kind === 'conversion' && !meets(c.ratio[volume], TARGETS.costRatio, 'max') ? '; what meeting it would take: section 7' : ''),
          meets(c.ratio[volume], TARGETS.costRatio, 'max'),
        ];
      }),
    ),
    [
      `Warm CPU per capture ≤ ${TARGETS.captureCpuRatio} × a bare PutItem`,
      `${fixed(captureCpu, 2)} vs ${fixed(bareCpu, 2)} ms${r.captureCpu ? ` (median of ${r.captureCpu.rounds} alternating rounds' ratios)` : ''}: ${verdict(captureRatio, TARGETS.captureCpuRatio, 'max')}`,
      meets(captureRatio, TARGETS.captureCpuRatio, 'max'),
    ],
    ['$0 compute when idle', 'Lambda, API Gateway and DynamoDB on-demand bill per request ✔', true],
  ];
  return {
    markdown: table(['Target', 'Measured (this run)', 'Met'], rows.map(([t, m, ok]) => [t, m, ok ? 'yes' : '**no**']), ['---', '---', '---']),
    lines: rows.map(([t, m]) => `  ${t}: ${m}`),
  };
}

/**
 * Below this share of its floor's init, a bundle contradicts its measurement: it holds the floor. A bundle little
 * bigger than its floor (capture without its libraries) measures level with it, a little above or below, by noise.
 */
const BELOW_FLOOR = 0.95;

/**
 * The bundles whose module init this run measured clearly below their floor's: impossible for code that holds the
 * floor, so a sign that the machine's noise, not the code, decided the run's init figures.
 */
function initContradictions(b: BenchResults['bundles']): string[] {
  const measured = [
    ...b.functions.map((f) => ({ name: f.name, subject: f.deployed, floor: f.floor, ratioCpu: f.ratioCpu })),
    ...b.variants.map((v) => ({ name: v.label, subject: v.subject, floor: v.floor, ratioCpu: v.ratioCpu })),
  ];
  return measured
    .filter((m) => m.ratioCpu < BELOW_FLOOR || m.subject.initCpuMs < m.floor.initCpuMs * BELOW_FLOOR)
    .map((m) => `${m.name}: ${fixed(m.subject.initCpuMs)} ms CPU against its floor's ${fixed(m.floor.initCpuMs)} ms, ${fixed(m.ratioCpu, 2)} × paired in rounds`);
}

function headerValues(r: BenchResults, part: Part): Values {
  const contradictions = initContradictions(r.bundles);
  return {
    // After the target table, whose init row it qualifies: a paragraph of its own.
    initNoise: contradictions.length ? `\n\n${part('initNoise', { contradictions: contradictions.join('; ') })}` : '',
    runDate: r.machine.date,
    runSeconds: fixed(r.totalSeconds, 0),
    cores: r.machine.cores,
    cpuModel: r.machine.cpuModel,
    loadAverage: r.machine.loadAverage.map((l) => l.toFixed(2)).join(' / '),
    nodeVersion: r.machine.node,
    targetTable: targetsTable(r).markdown,
  };
}

function bundleValues(r: BenchResults, part: Part): Values {
  const b = r.bundles;
  const functions = table(
    ['Function', 'Bundle', 'Source map', 'Init, wall (median)', 'Init, CPU (median)', 'Floor: SDK clients', 'Floor bundle', 'Floor init wall / CPU', 'Ratio wall', 'Ratio CPU', 'RSS after init'],
    b.functions.map((f) => [
      f.name,
      kib(f.deployed.bytes),
      kib(f.deployed.mapBytes),
      `${fixed(f.deployed.initMs)} ms`,
      `${fixed(f.deployed.initCpuMs)} ms`,
      f.floor.id.split('/')[0]!.replace(/^floor\(|\)$/g, '').replace(/\+/g, ' + '),
      kib(f.floor.bytes),
      `${fixed(f.floor.initMs)} / ${fixed(f.floor.initCpuMs)} ms`,
      verdict(f.ratio, TARGETS.initRatio, 'max'),
      verdict(f.ratioCpu, TARGETS.initRatio, 'max'),
      `${fixed(f.deployed.rssMb, 0)} MB`,
    ]),
  );
  const capture = b.functions.find((f) => f.name === 'capture')!;
  const composition = table(
    ['Source', 'Bytes in the capture bundle'],
    capture.composition.slice(0, 10).map((c) => [c.source, kib(c.bytes)]),
  );
  const blocks = table(
    ['Added to the API floor', 'Bundle', 'Init wall (median)', 'Added wall', 'Added CPU'],
    [
      ['nothing (the floor: DynamoDB document client + Secrets Manager client)', kib(b.apiFloor.bytes), `${fixed(b.apiFloor.initMs)} ms`, '–', '–'],
      ...b.blocks.map((k) => [k.label, kib(k.figures.bytes), `${fixed(k.figures.initMs)} ms`, `${fixed(k.addedMs)} ms`, `${fixed(k.addedCpuMs)} ms`]),
    ],
  );
  const variants = table(
    ['Variant', 'Bundle (vs deployed)', 'Init wall / CPU (median)', 'Its floor, built the same way', 'Ratio wall / CPU'],
    b.variants.map((v) => [
      `${v.label} – ${v.explanation}`,
      `${kib(v.subject.bytes)} (${kib(v.deployed.bytes)})`,
      `${fixed(v.subject.initMs)} / ${fixed(v.subject.initCpuMs)} ms (deployed ${fixed(v.deployed.initMs)} / ${fixed(v.deployed.initCpuMs)})`,
      `${kib(v.floor.bytes)}, ${fixed(v.floor.initMs)} / ${fixed(v.floor.initCpuMs)} ms`,
      `${fixed(v.ratio, 2)} / ${fixed(v.ratioCpu, 2)}`,
    ]),
    ['---', '---:', '---:', '---:', '---:'],
  );
  const external = b.variants.filter((v) => v.label.includes('external'));
  const functionOf = (v: VariantComparison) => v.label.split(':')[0];
  const commonJs = b.variants.find((v) => v.label.includes('CommonJS'));
  const maps = b.variants.find((v) => v.label.includes('source-maps'));
  const unused = b.variants.find((v) => v.label.includes('no deployed function runs'));
  const zodNamed = b.blocks.find((k) => k.label.startsWith('zod imported by name'));
  const zodNs = b.blocks.find((k) => k.label.startsWith('zod imported as a namespace'));
  const schemas = b.blocks.find((k) => k.label.startsWith("the service's configuration schemas"));
  const validation = b.blocks.find((k) => k.label.startsWith('… and validating'));
  const met = b.functions.every((f) => f.ratioCpu <= TARGETS.initRatio);
  return {
    bundleCount: b.functions.length + b.variants.length + b.blocks.length + 4,
    initRounds: b.rounds,
    healthStatus: b.healthStatus ?? '–',
    functionInitTable: functions,
    captureCompositionTable: composition,
    buildingBlockTable: blocks,
    variantTable: variants,
    externalSdkSizes: external.map((v) => ` (${functionOf(v)}: ${kib(v.subject.bytes)} vs ${kib(v.deployed.bytes)})`).join(','),
    externalSdkInits: external.map((v) => ` ${functionOf(v)} ${fixed(v.subject.initCpuMs)} ms CPU vs ${fixed(v.deployed.initCpuMs)} ms bundled`).join(','),
    commonJsSaving: commonJs
      ? part('commonJsSaving', {
          commonJsBundle: kib(commonJs.subject.bytes),
          deployedBundle: kib(commonJs.deployed.bytes),
          commonJsInitCpuMs: fixed(commonJs.subject.initCpuMs),
          deployedInitCpuMs: fixed(commonJs.deployed.initCpuMs),
          commonJsFloorBundle: kib(commonJs.floor.bytes),
          deployedFloorBundle: kib(capture.floor.bytes),
        })
      : '',
    configValidationCpuMs: fixed(validation && schemas ? validation.addedCpuMs - schemas.addedCpuMs : Number.NaN),
    unusedCodeSaving: unused
      ? part('unusedCodeSaving', {
          withBundle: kib(unused.subject.bytes),
          deployedBundle: kib(unused.deployed.bytes),
          withInitCpuMs: fixed(unused.subject.initCpuMs),
          deployedInitCpuMs: fixed(unused.deployed.initCpuMs),
          withRatioCpu: fixed(unused.ratioCpu, 2),
          deployedRatioCpu: fixed(b.functions.find((f) => f.name === 'sender')?.ratioCpu ?? Number.NaN, 2),
        })
      : '',
    sourceMapsCost: maps
      ? part('sourceMapsCost', {
          withInitCpuMs: fixed(maps.subject.initCpuMs),
          withoutInitCpuMs: fixed(maps.deployed.initCpuMs),
          withInitMs: fixed(maps.subject.initMs),
          withoutInitMs: fixed(maps.deployed.initMs),
        })
      : '',
    initTargetVerdict: met
      ? part('initTargetMet', { initRatioMet: TARGETS.initRatio })
      : part('initTargetMissed', {
          ...beyondFloorValues(b.functions),
          captureFloorCpuMs: fixed(capture.floor.initCpuMs),
          floorHeadroomMs: fixed(capture.floor.initCpuMs * (TARGETS.initRatio - 1), 0),
          initRatioMissed: TARGETS.initRatio,
          initHeadroomPercent: fixed((TARGETS.initRatio - 1) * 100, 0),
          zodNamespaceCpu: zodNs ? `${fixed(zodNs.addedCpuMs)} ms CPU` : 'see the building blocks',
          zodNamedCpu: zodNamed ? `${fixed(zodNamed.addedCpuMs)} ms` : '–',
          configSchemasCpu: schemas ? `${fixed(schemas.addedCpuMs)} ms CPU, zod included` : 'see the building blocks',
          librariesStoodIn: librariesStoodInValues(b, part),
        }),
  };
}

/**
 * What the functions cost at init without their libraries (the stand-in variants of bench/bundles.ts), beside the
 * deployed ratio: empty when the run measured none.
 */
function librariesStoodInValues(b: BenchResults['bundles'], part: Part): string {
  const standIn = (label: string) => b.variants.find((v) => v.label === label)?.ratioCpu;
  const without = {
    conversion: standIn('conversion: zod, Powertools and middy stood in for'),
    sender: standIn('sender: zod, Powertools and middy stood in for'),
    capture: standIn('capture: zod, Powertools and middy stood in for'),
  };
  const zodKept = standIn('conversion: Powertools and middy stood in for');
  if (zodKept === undefined || without.conversion === undefined || without.sender === undefined || without.capture === undefined) return '';
  const deployed = (fn: FunctionName) => b.functions.find((f) => f.name === fn)?.ratioCpu ?? Number.NaN;
  // A paragraph of its own after the sentence that names the functions the libraries put over the target.
  return `\n\n${part('librariesStoodIn', {
    conversionWithout: fixed(without.conversion, 2),
    senderWithout: fixed(without.sender, 2),
    captureWithout: fixed(without.capture, 2),
    conversionDeployed: fixed(deployed('conversion'), 2),
    senderDeployed: fixed(deployed('sender'), 2),
    captureDeployed: fixed(deployed('capture'), 2),
    conversionWithZodOnly: fixed(zodKept, 2),
    powertoolsShareOfFloor: fixed(deployed('conversion') - zodKept, 2),
    zodShareOfFloor: fixed(zodKept - without.conversion, 2),
    initRatio: TARGETS.initRatio,
    allowance: fixed(TARGETS.initRatio - 1, 2),
    ownCodeVerdict: Math.max(without.conversion, without.sender, without.capture) <= TARGETS.initRatio ? 'fits within' : 'alone exceeds, in some of them,',
  })}`;
}

/** Sources a bundle holds that no SDK floor does: the validator, Powertools and middy; and the service's own code. */
const isZod = (source: string) => source === 'zod' || source.startsWith('zod ');
const isPowertoolsOrMiddy = (source: string) => source.startsWith('@aws-lambda-powertools/') || source.startsWith('@middy/');
const isOwnCode = (source: string) => source.startsWith('lambdas/');

/**
 * What each function carries beyond its SDK floor, by kind, beside the init CPU it costs and the bytes the target
 * leaves room for at the CPU per KiB the functions show (median over the functions of init CPU beyond the floor ÷
 * bytes beyond it): init grows with the code compiled at load.
 */
function beyondFloorValues(functions: FunctionInit[]): Values {
  const beyond = functions.map((f) => {
    const bytesOf = (test: (source: string) => boolean) => f.composition.filter((c) => test(c.source)).reduce((sum, c) => sum + c.bytes, 0);
    return {
      f,
      bytes: f.deployed.bytes - f.floor.bytes,
      zod: bytesOf(isZod),
      libraries: bytesOf(isPowertoolsOrMiddy),
      own: bytesOf(isOwnCode),
      cpuMs: f.deployed.initCpuMs - f.floor.initCpuMs,
      allowedMs: f.floor.initCpuMs * (TARGETS.initRatio - 1),
    };
  });
  const msPerKib = median(beyond.filter((x) => x.bytes > 0).map((x) => x.cpuMs / (x.bytes / 1024)));
  const rows = beyond.map((x) => [
    x.f.name,
    kib(x.bytes),
    kib(x.zod),
    kib(x.libraries),
    kib(x.own),
    `${fixed(x.cpuMs)} ms`,
    `${fixed(x.allowedMs)} ms ≈ ${fixed(x.allowedMs / msPerKib, 0)} KiB`,
  ]);
  const overByLibraries = beyond.filter((x) => (x.zod + x.libraries) / 1024 > x.allowedMs / msPerKib).map((x) => x.f.name);
  return {
    beyondFloorTable: table(
      ['Function', 'Bytes beyond its floor', 'zod/mini', 'Powertools and middy', "The service's code", 'Init CPU beyond the floor', `What ${TARGETS.initRatio} × the floor leaves`],
      rows,
      ['---', '---:', '---:', '---:', '---:', '---:', '---:'],
    ),
    initMsPerKib: fixed(msPerKib, 2),
    overByLibraries: overByLibraries.length ? overByLibraries.join(', ') : 'none',
  };
}

function cpuValues(r: BenchResults): Values {
  const handlers = table(
    ['Handler', 'Calls', 'CPU p50', 'CPU p90', 'CPU mean', 'Wall p50', 'Wall p90', 'Waiting on I/O (p50)'],
    [...r.cpu.handlers, r.cpu.bareWrite].map((h) => [
      h.name,
      h.calls,
      `${fixed(h.cpuMs.p50, 2)} ms`,
      `${fixed(h.cpuMs.p90, 2)} ms`,
      `${fixed(h.cpuMs.mean, 2)} ms`,
      `${fixed(h.wallMs.p50, 2)} ms`,
      `${fixed(h.wallMs.p90, 2)} ms`,
      `${fixed(h.ioWaitMsP50, 2)} ms`,
    ]),
  );
  return {
    cpuCalls: r.cpu.handlers[0]?.calls ?? '–',
    handlerCpuTable: handlers,
    requestAccountTable: requestTable(r.model.measured),
    requestCountsHash: hashLine(r.model.measured.hash),
    metricSeries: r.model.measured.metricSeries.length,
    storedCaptureBytes: fixed(r.model.measured.stored.capture.bytes, 0),
    storedConversionBytes: fixed(r.model.measured.stored.conversion.bytes, 0),
    storedConversionItems: fixed(r.model.measured.stored.conversion.items, 0),
    captureRetentionDays: r.model.measured.stored.capture.retentionDays,
    conversionRetentionDays: r.model.measured.stored.conversion.retentionDays,
  };
}

function throughputValues(r: BenchResults, part: Part): Values {
  const rows = r.throughput.levels.map((l) => [
    l.concurrency,
    `${fixed(l.rawPerSecond, 0)}/s`,
    `${fixed(l.capturePerSecond, 0)}/s`,
    verdict(l.captureRatio, TARGETS.captureThroughputRatio, 'min'),
    `${fixed(l.captureP50Ms, 1)} / ${fixed(l.captureP99Ms, 1)} ms`,
    `${fixed(l.healthPerSecond, 0)}/s`,
    `${fixed(l.conversionPerSecond, 0)}/s`,
    fixed(l.conversionRatio, 2),
    `${fixed(l.conversionP50Ms, 1)} / ${fixed(l.conversionP99Ms, 1)} ms`,
    Object.keys(l.unexpected).length ? JSON.stringify(l.unexpected) : 'none',
  ]);
  const short = r.throughput.levels.filter((l) => l.concurrency >= 8 && l.captureRatio < TARGETS.captureThroughputRatio);
  const capture = r.cpu.handlers.find((h) => h.name === 'capture')!;
  return {
    throughputRounds: LIMITS.throughputRounds,
    throughputTable: table(
      ['Concurrency', 'Raw PutItem', 'Captures', 'Capture ÷ raw', 'Capture p50 / p99', 'Health (HTTP hop only)', 'Conversions', 'Conversion ÷ raw', 'Conversion p50 / p99', 'Non-2xx'],
      rows,
    ),
    throughputGap:
      short.length === 0
        ? ''
        : afterTable(
            part('throughputGap', {
              shortLevels: short.map((l) => `concurrency ${l.concurrency}`).join(' and '),
              captureCpuMs: fixed(capture.cpuMs.p50, 2),
              bareWriteCpuMs: fixed(r.cpu.bareWrite.cpuMs.p50, 2),
              healthCeilings: short.map((l) => `${fixed(l.healthPerSecond, 0)}/s at concurrency ${l.concurrency}`).join(', '),
              cores: r.machine.cores,
            }),
          ),
  };
}

function latencyValues(r: BenchResults, part: Part): Values {
  const l = r.latency;
  return {
    latencyRate: l.rate,
    conversionsSent: l.conversionsSent,
    latencySeconds: fixed(l.seconds, 1),
    conversionsAccepted: l.conversionsAccepted,
    drainSeconds: fixed(l.drainSeconds, 1),
    latencyTable: table(
      ['Deliveries', 'Delivered', 'p50', 'p99', 'max', 'Accept (202) p50 / p99'],
      [[l.deliveries, l.delivered, `${fixed(l.p50Ms, 0)} ms`, `${fixed(l.p99Ms, 0)} ms`, `${fixed(l.maxMs, 0)} ms`, `${fixed(l.acceptP50Ms, 1)} / ${fixed(l.acceptP99Ms, 1)} ms`]],
    ),
    vendorLatencyTable: table(['Vendor', 'p50', 'p99'], l.perVendor.map((v) => [v.vendor, `${fixed(v.p50Ms, 0)} ms`, `${fixed(v.p99Ms, 0)} ms`])),
    notDelivered: Object.keys(l.notDelivered).length ? afterTable(part('notDelivered', { notDelivered: JSON.stringify(l.notDelivered) })) : '',
    latencyGap: l.p99Ms <= TARGETS.deliveryP99Ms && l.delivered === l.deliveries ? '' : afterTable(latencyGap(r, part)),
  };
}

function latencyGap(r: BenchResults, part: Part): string {
  const l = r.latency;
  const conversion = r.cpu.accounts.find((a) => a.label.startsWith('conversion'))!;
  const vendors = l.perVendor.length || 3;
  // Per delivered message the sender claims the delivery and records the outcome: two conditional updates.
  const perConversion = conversion.dynamoRoundTrips + 2 * vendors;
  const demand = perConversion * l.rate;
  const ceiling = Math.max(...r.throughput.levels.map((x) => x.rawPerSecond));
  const cpuOf = (name: string) => r.cpu.handlers.find((h) => h.name === name)?.cpuMs.p50 ?? Number.NaN;
  const requestCpu = r.cpu.bareWrite.cpuMs.p50;
  // The stack's one JavaScript thread: the conversion handler, plus the senders' SDK requests (claim, record, delete).
  const threadShare = (l.rate * (cpuOf('conversion') + vendors * 2 * requestCpu)) / 1000;
  return part('latencyGap', {
    conversionCpuMs: fixed(cpuOf('conversion')),
    conversionDynamoRequests: fixed(conversion.dynamoRoundTrips, 0),
    conversionSqsRequests: fixed(conversion.sqsRequests, 0),
    bareWriteCpuMs: fixed(requestCpu),
    rate: l.rate,
    threadSharePercent: fixed(threadShare * 100, 0),
    cores: r.machine.cores,
    vendors,
    requestsPerConversion: perConversion,
    dynamoDemand: fixed(demand, 0),
    putItemCeiling: fixed(ceiling, 0),
    demandAgainstCeiling: demand > ceiling ? 'above' : 'close to',
    senderMaxConcurrency: r.senders.deployed.maxConcurrency,
    batchFillMs: fixed((r.senders.deployed.batchSize / r.senders.rate) * 1000, 0),
    senderRate: r.senders.rate,
  });
}

/** The senders' concurrency cap before batches of ten sent in parallel. */
const PREVIOUS_SENDER_CAP = 5;

function senderValues(r: BenchResults): Values {
  const s = r.senders;
  const d = s.deployed;
  const rows = s.candidates.map((c) => [
    `${c.batchSize} / ${c.maxBatchingWindowSeconds} s / ${c.maxConcurrency}${c.batchSize === d.batchSize && c.maxBatchingWindowSeconds === d.maxBatchingWindowSeconds && c.maxConcurrency === d.maxConcurrency ? ' **(deployed)**' : ''}`,
    `${c.delivered} / ${c.messages}`,
    `${fixed(c.p50Ms, 0)} / ${fixed(c.p99Ms, 0)} ms`,
    fixed(c.invocationsPerMessage, 2),
    `${fixed(c.billedMsPerMessage, 0)} ms`,
    fixed(c.sqsRequestsPerMessage, 2),
    c.maxOpenVendorCalls,
  ]);
  // Batches × records ÷ mean invocation time, measured with the deployed batch size and this cap.
  const messagesPerSecond = (cap: number) =>
    fixed((cap * d.batchSize * 1000) / Math.max(1, s.candidates.find((c) => c.batchSize === d.batchSize && c.maxConcurrency === cap)?.meanInvocationMs ?? 350), 0);
  return {
    senderRate: s.rate,
    vendorDelayMs: s.vendorDelayMs,
    senderTable: table(['Batch / window / cap', 'Delivered', 'p50 / p99', 'Invocations per message', 'Billed ms per message', 'SQS requests per message', 'Open vendor calls (max)'], rows),
    batchSize: d.batchSize,
    batchingWindowSeconds: d.maxBatchingWindowSeconds,
    maxConcurrency: d.maxConcurrency,
    previousMaxConcurrency: PREVIOUS_SENDER_CAP,
    maxOpenVendorCalls: d.batchSize * d.maxConcurrency,
    previousMaxOpenVendorCalls: d.batchSize * PREVIOUS_SENDER_CAP,
    capTwoMessagesPerSecond: messagesPerSecond(2),
    deployedCapMessagesPerSecond: messagesPerSecond(d.maxConcurrency),
  };
}

/** Sender memory sizes compared in section 6. */
export const SENDER_MEMORY_CANDIDATES = [128, 192, 256, 512] as const;

/**
 * The senders' memory rule: the cheapest size at which the CPU of a full batch of ten, stretched by the size's CPU
 * share, stays within this share of a vendor call's default timeout – the calls of a batch run at once, and a reply
 * that waits for the CPU must not run out its call's time. The benchmark's vendors make one call per order; the share
 * leaves room for one that makes several (Raptor, a call per line, `parallelCalls` at once).
 */
export const SENDER_BATCH_CPU_SHARE_OF_TIMEOUT = 0.15;

/** The batch the senders' memory rule sizes for: the event source's full batch. */
const SENDER_BATCH = 10;

export interface SenderMemoryRow {
  memoryMb: number;
  initMs: number;
  /** The CPU of a batch of ten at this size, ms. */
  batchCpuMs: number;
  /** The senders' Lambda cost (requests, duration, init) per million conversions. */
  typicalUsd: number;
  highUsd: number;
}

export function senderMemoryRows(inputs: ModelInputs, batchCpuMs: number): SenderMemoryRow[] {
  const lambdaItems = ['Lambda requests (senders)', 'Lambda duration (senders)', 'Lambda INIT (senders)'];
  return SENDER_MEMORY_CANDIDATES.map((memoryMb) => {
    const model = conversionModel({ ...inputs, facts: { ...inputs.facts, memoryMb: { ...inputs.facts.memoryMb, sender: memoryMb } } });
    const lines = model.lines.filter((l) => lambdaItems.includes(l.item));
    return {
      memoryMb,
      initMs: billedMs(inputs.initCpuMs.sender, 0, memoryMb),
      batchCpuMs: billedMs(batchCpuMs, 0, memoryMb),
      typicalUsd: lines.reduce((a, l) => a + l.typical, 0),
      highUsd: lines.reduce((a, l) => a + l.high, 0),
    };
  });
}

/** The size SENDER_BATCH_CPU_SHARE_OF_TIMEOUT chooses among `rows` (the largest if none qualifies). */
export function chooseSenderMemory(rows: readonly SenderMemoryRow[], timeoutMs: number): number {
  const within = rows.filter((r) => r.batchCpuMs <= SENDER_BATCH_CPU_SHARE_OF_TIMEOUT * timeoutMs);
  if (!within.length) return rows[rows.length - 1]!.memoryMb;
  return within.reduce((best, r) => (r.typicalUsd + r.highUsd < best.typicalUsd + best.highUsd ? r : best)).memoryMb;
}

function memoryValues(r: BenchResults, part: Part): Values {
  const m = r.memoryChoice;
  const mark = (mb: number, c: ApiMemoryClass) => (mb === m.chosenMb[c] ? ' **(chosen)**' : '');
  const rows = m.rows.map((x) => [
    `${x.memoryMb} MB`,
    `${x.initMs.capture} ms`,
    `${x.coldStartMs.capture} ms${mark(x.memoryMb, 'capture')}`,
    `${x.captureMs} ms`,
    usd(x.totalUsd.capture),
    `${x.initMs.conversion} ms`,
    `${x.coldStartMs.conversion} ms${mark(x.memoryMb, 'conversion')}`,
    `${x.conversionMs} ms`,
    usd(x.totalUsd.conversion),
  ]);
  const row = (mb: number) => m.rows.find((x) => x.memoryMb === mb)!;
  const classValues = (c: ApiMemoryClass) => {
    const chosen = row(m.chosenMb[c]);
    const cheapest = row(m.cheapestMb[c]);
    return {
      [`${c}MemoryMb`]: chosen.memoryMb,
      [`${c}ColdStartMs`]: chosen.coldStartMs[c],
      [`${c}CheapestMb`]: cheapest.memoryMb,
      [`${c}CheapestColdStartMs`]: cheapest.coldStartMs[c],
      [`${c}ExtraUsd`]: usd(chosen.totalUsd[c] - cheapest.totalUsd[c]),
      [`${c}Functions`]: API_MEMORY_CLASSES[c].join(', '),
    };
  };
  const notDeployed = (Object.keys(API_MEMORY_CLASSES) as ApiMemoryClass[]).filter((c) => m.chosenMb[c] !== m.deployedMb[c]);
  return {
    fullVcpuAtMb: ASSUMPTIONS.fullVcpuAtMb,
    captureAwsIoMs: ASSUMPTIONS.captureAwsIoMs,
    conversionAwsIoMs: ASSUMPTIONS.conversionAwsIoMs,
    memoryTable: table(
      ['API memory', 'Cold init (capture class)', 'Cold start: init + a capture', 'Capture billed', 'Capture class $/M', 'Cold init (conversion class)', 'Cold start: init + a conversion', 'Conversion billed', 'Conversion class $/M'],
      rows,
    ),
    ...classValues('capture'),
    ...classValues('conversion'),
    apiInitBudgetMs: API_INIT_BUDGET_MS,
    memoryNotDeployed: notDeployed.length
      ? part('memoryNotDeployed', { deployedMemory: notDeployed.map((c) => `${c} class ${m.deployedMb[c]} MB`).join(', ') })
      : '',
    rssAfterInitMb: fixed(r.bundles.functions[0]!.deployed.rssMb, 0),
    ...senderMemoryValues(r, part),
  };
}

/**
 * A sender's CPU for a full batch of ten: as measured against the plain-HTTP sandbox, and with a TLS handshake for each
 * of the batch's ten parallel calls, which may each open a connection of their own – what the memory rule sizes for.
 */
function senderBatchCpu(r: BenchResults): { measuredBatchCpuMs: number; batchCpuMs: number } {
  const batch = r.model.measured.scenarios.senderBatch10;
  const measuredBatchCpuMs = batch.cpuMs / batch.invocations;
  return { measuredBatchCpuMs, batchCpuMs: measuredBatchCpuMs + SENDER_BATCH * r.tls.handshakeCpuMs };
}

function senderMemoryValues(r: BenchResults, part: Part): Values {
  const { measuredBatchCpuMs, batchCpuMs } = senderBatchCpu(r);
  const rows = senderMemoryRows(r.model.inputs, batchCpuMs);
  const chosenMb = chooseSenderMemory(rows, r.model.vendorTimeoutMs);
  const deployedMb = r.facts.memoryMb.sender!;
  const row = (mb: number) => rows.find((x) => x.memoryMb === mb)!;
  // Undefined when the deployed size is not one of SENDER_MEMORY_CANDIDATES.
  const deployed = rows.find((x) => x.memoryMb === deployedMb);
  const cheapest = rows.reduce((best, x) => (x.typicalUsd < best.typicalUsd ? x : best));
  return {
    senderMemoryTable: table(
      ['Sender memory', 'Cold init', 'CPU of a batch of ten', 'Senders $/M conversions, typical', 'High volume'],
      rows.map((x) => [
        `${x.memoryMb} MB${x.memoryMb === chosenMb ? ' **(chosen)**' : ''}${x.memoryMb === deployedMb && deployedMb !== chosenMb ? ' (deployed)' : ''}`,
        `${x.initMs} ms`,
        `${x.batchCpuMs} ms`,
        usd(x.typicalUsd),
        usd(x.highUsd),
      ]),
    ),
    senderBatchCpuMs: fixed(batchCpuMs, 1),
    senderMeasuredBatchCpuMs: fixed(measuredBatchCpuMs, 1),
    tlsHandshakeCpuMs: fixed(r.tls.handshakeCpuMs, 2),
    senderTimeoutShare: `${SENDER_BATCH_CPU_SHARE_OF_TIMEOUT * 100} %`,
    vendorTimeoutMs: r.model.vendorTimeoutMs,
    senderBudgetMs: SENDER_BATCH_CPU_SHARE_OF_TIMEOUT * r.model.vendorTimeoutMs,
    senderChosenMb: chosenMb,
    senderChosenBatchCpuMs: row(chosenMb).batchCpuMs,
    senderCheaperNote:
      cheapest.memoryMb === chosenMb
        ? ', the cheapest of the sizes compared'
        : `; the cheapest size, ${cheapest.memoryMb} MB, would stretch it to ${cheapest.batchCpuMs} ms, for ${usd(row(chosenMb).typicalUsd - cheapest.typicalUsd)} less per million conversions`,
    senderMemoryNotDeployed:
      deployedMb === chosenMb
        ? ''
        : part(deployedMb > chosenMb ? 'senderMemoryLarger' : 'senderMemoryNotDeployed', { deployedSenderMemoryMb: deployedMb, deployedSenderUsd: deployed ? usd(deployed.typicalUsd) : '–' }),
  };
}

/** The smallest monthly volume section 7 compares: a shop with a million captures and 50,000 conversions a month. */
const SHOP = { captures: 1e6, conversions: 5e4 } as const;

/** The fixed monthly items (custom metrics, alarms, dashboard, secrets), whatever the volume. */
const fixedMonthlyUsd = (m: ModelResults) => m.monthly.reduce((a, i) => a + i.usdPerMonth, 0);

/** A month's bill at typical volume: handling and keeping what the month's calls leave, plus the fixed items. */
const monthlyBillUsd = (m: ModelResults, volume: { captures: number; conversions: number }) =>
  (volume.captures * m.capture.total.typical + volume.conversions * m.conversion.total.typical) / 1e6 + fixedMonthlyUsd(m);

function costValues(r: BenchResults): Values {
  const m = r.model;
  const prices = table(
    ['Item', 'Price', 'Source', 'As of'],
    Object.values(PRICES).map((p) => [p.what, `$${p.usd} ${p.unit}`, p.source, p.asOf]),
    ['---', '---:', '---', '---'],
  );
  const volumes = [1e6, 1e7, 1e8];
  const xray = table(
    ['Requests a month', 'Share traced', 'X-Ray $ per million requests'],
    volumes.map((v) => [`${v / 1e6} M`, `${fixed(xraySampledShare(v) * 100, 1)} %`, usd(xraySampledShare(v) * PRICES.xrayTraces.usd)]),
  );
  const monthlyTotal = fixedMonthlyUsd(m);
  const scenarios = [
    SHOP,
    { captures: 5e6, conversions: 2.5e5 },
    { captures: 2e7, conversions: 1e6 },
  ];
  const comparison = table(
    ['Monthly volume', 'This service (AWS, typical volume)', ...ALTERNATIVES.map((a) => a.name)],
    scenarios.map((s) => {
      const ours = monthlyBillUsd(m, s);
      const requests = s.captures + s.conversions;
      return [`${s.captures / 1e6} M captures + ${s.conversions / 1e6} M conversions`, usd(ours), ...ALTERNATIVES.map((a) => usd(a.usdPerMonth(requests)))];
    }),
  );
  return {
    priceTable: prices,
    captureCostTable: costTable(m.capture),
    captureFloorTable: floorTable(m.capture),
    conversionCostTable: costTable(m.conversion),
    conversionFloorTable: floorTable(m.conversion),
    captureKeptTable: keptTable(m.capture),
    conversionKeptTable: keptTable(m.conversion),
    captureLargest: largestLines(m.capture, 4),
    captureAboveFloor: aboveFloorTable(m.capture),
    conversionAboveFloor: aboveFloorTable(m.conversion),
    conversionLargest: largestLines(m.conversion, 5),
    costRatioTarget: TARGETS.costRatio,
    accessLogBytes: m.facts.accessLogBytes,
    platformLogsKept: m.facts.platformLogs ? "kept (system log level INFO or finer): counted" : "dropped by the functions' system log level WARN: not counted",
    pitrState: m.facts.pitr ? 'on' : 'off',
    xrayTable: xray,
    xrayPerMillionAt1M: usd(xraySampledShare(1e6) * PRICES.xrayTraces.usd),
    monthlyTable: monthlyTable(m.monthly),
    monthlyTotal: usd(monthlyTotal),
    deliveryQueues: r.facts.queues / 2,
    sgtmMinInstances: SGTM_CLOUD_RUN.minInstances,
    sgtmSource: SGTM_CLOUD_RUN.source,
    hostedTaggingSource: HOSTED_TAGGING_SOURCE,
    comparisonTable: comparison,
    alternativeBases: ALTERNATIVES.map((a) => `${a.name}: ${a.basis}`).join('. '),
  };
}

/**
 * What bringing a conversion to 1.10 × its floor would take, on this run's inputs: the changes that move it most, each
 * alone and then together, beside what each would give up – in the figures sections 6 and 7 judge the deployed sizes
 * by. None is made by the stack; the table is there so that the choice is made on measured figures.
 */
function leverValues(r: BenchResults): Values {
  const inputs = r.model.inputs;
  const deployed = { sender: r.facts.memoryMb.sender!, conversion: r.memoryChoice.deployedMb.conversion };
  const smallerApi = [...MEMORY_CANDIDATES].reverse().find((mb) => mb < deployed.conversion) ?? deployed.conversion;
  const api = (mb: number) => r.memoryChoice.rows.find((x) => x.memoryMb === mb);
  const { measuredBatchCpuMs, batchCpuMs } = senderBatchCpu(r);
  const smallestSender = SENDER_MEMORY_CANDIDATES[0];
  const stretched = billedMs(batchCpuMs, 0, smallestSender);
  const { maxConcurrency, batchSize } = r.model.after;
  const drain = (mb: number) => fixed(senderDrainPerSecond(measuredBatchCpuMs, inputs.vendorMs, mb, maxConcurrency, batchSize), 0);
  const levers: Array<{ label: string; change: (i: ModelInputs) => ModelInputs; givesUp: string }> = [
    {
      label: 'No metric record for a sale that went well (the conversion\'s per destination, the senders\' per batch)',
      change: withoutSaleRecords,
      givesUp:
        'the delivery-ratio alarm the specification asks for (sent ÷ queued per vendor) and the dashboard\'s counts would need ' +
        'another source: queued from the queue\'s own NumberOfMessagesSent less the senders\' retry copies, sent from its ' +
        'NumberOfMessagesDeleted less every other outcome – exact only while every copy and outcome is counted; no log line ' +
        'would name a sent order (the table still does)',
    },
    {
      label: `Senders at ${smallestSender} MB instead of ${deployed.sender} MB`,
      change: (i) => withMemory(i, { sender: smallestSender }),
      givesUp:
        `a batch of ten's CPU stretches to ${stretched} ms, ${fixed((100 * stretched) / r.model.vendorTimeoutMs, 0)} % of the vendor call's ` +
        `${r.model.vendorTimeoutMs} ms timeout (the rule of section 6: ${SENDER_BATCH_CPU_SHARE_OF_TIMEOUT * 100} %); one vendor drains ` +
        `${drain(smallestSender)} instead of ${drain(deployed.sender)} messages a second at ${maxConcurrency} concurrent batches (vendor at ${inputs.vendorMs} ms)`,
    },
    {
      label: `Conversion and cancellation at ${smallerApi} MB instead of ${deployed.conversion} MB`,
      change: (i) => withMemory(i, { conversion: smallerApi }),
      givesUp:
        `a cold start of about ${api(smallerApi)?.coldStartMs.conversion ?? '–'} ms instead of ${api(deployed.conversion)?.coldStartMs.conversion ?? '–'} ms ` +
        `(the rule of section 6: ${API_INIT_BUDGET_MS} ms); a warm conversion billed ${api(smallerApi)?.conversionMs ?? '–'} ms instead of ${api(deployed.conversion)?.conversionMs ?? '–'} ms`,
    },
  ];
  const ratio = (changes: Array<(i: ModelInputs) => ModelInputs>) => {
    const x = conversionRatioWith(inputs, changes);
    return [verdict(x.typical, TARGETS.costRatio, 'max', 2), verdict(x.high, TARGETS.costRatio, 'max', 2)];
  };
  const rows = [
    ['As deployed', ...ratio([]), '–'],
    ...levers.map((l) => [l.label, ...ratio([l.change]), l.givesUp]),
    ['All three', ...ratio(levers.map((l) => l.change)), 'all of the above'],
    ['The first two only', ...ratio(levers.slice(0, 2).map((l) => l.change)), 'the first two rows'],
  ];
  // What the ratio is worth: all three changes, in dollars, at the smallest monthly volume of the comparison below.
  const saved = conversionModel(inputs).total.typical - conversionModel(withChanges(inputs, levers.map((l) => l.change))).total.typical;
  const monthly = fixedMonthlyUsd(r.model);
  const bill = monthlyBillUsd(r.model, SHOP);
  return {
    conversionLeversTable: table(['Change from the deployed stack', 'Typical: handling ÷ floor', 'High volume', 'What it would give up (this run)'], rows, ['---', '---:', '---:', '---']),
    leversSavedUsd: usd(saved),
    leversShopConversions: SHOP.conversions.toLocaleString('en-US'),
    leversShopCaptures: (SHOP.captures / 1e6).toString(),
    leversShopSavedUsd: usd((saved * SHOP.conversions) / 1e6),
    leversShopBillUsd: usd(bill),
    leversShopFixedUsd: usd(monthly),
    leversVendorMs: inputs.vendorMs,
    leversSenderBilledMs: senderInvocationMs(r.model.measured.scenarios.senderBatch1.cpuMs / r.model.measured.scenarios.senderBatch1.invocations, inputs.vendorMs, deployed.sender),
    leversSenderMemoryMb: deployed.sender,
  };
}

function capacityInputs(r: BenchResults, settings: PipelineSettings): CapacityInputs {
  return { measured: r.model.measured, facts: r.model.facts, cpuMs: r.model.cpuMs, settings };
}

function growthValues(r: BenchResults): Values {
  return { growthTable: growthTable(r.model.measured, r.model.facts) };
}

function capacityValues(r: BenchResults): Values {
  const m = r.model;
  const inputs = capacityInputs(r, m.after);
  const times = senderTimes(inputs);
  const describe = (s: PipelineSettings) => `batch ${s.batchSize}, window ${s.batchingWindowSeconds} s, concurrency ${s.maxConcurrency}, ${s.parallelCalls === 1 ? 'calls of a message one after another' : `${s.parallelCalls} calls of a message at once`}`;
  return {
    capacityTable: capacityTable(capacityRows(inputs)),
    raptorTable: raptorTable(inputs, m.before, m.after),
    raptorLines: RAPTOR_LINES,
    beforeSettings: describe(m.before),
    afterSettings: describe(m.after),
    senderCpuMsPerMessage: fixed(times.cpuMsPerMessage, 1),
    senderAwsIoMs: ASSUMPTIONS.senderAwsIoMs,
    invocationOverheadMs: INVOCATION_OVERHEAD_MS,
    lambdaQuota: QUOTAS.lambdaConcurrency,
    apiGatewayQuota: QUOTAS.apiGatewayRps,
    apiGatewayBurst: QUOTAS.apiGatewayBurst,
    dynamoTableQuota: QUOTAS.dynamoTableWru,
    dynamoPartitionWcu: QUOTAS.dynamoPartitionWcu,
  };
}

/** docs/PERFORMANCE.md for these measurements: the template's `report` part, filled. */
export function renderReport(r: BenchResults, parts: Record<string, string> = readTemplate()): string {
  const part = partFiller(parts);
  const values = merged(
    headerValues(r, part),
    bundleValues(r, part),
    cpuValues(r),
    throughputValues(r, part),
    latencyValues(r, part),
    senderValues(r),
    memoryValues(r, part),
    costValues(r),
    leverValues(r),
    growthValues(r),
    capacityValues(r),
  );
  return `${part('report', values)}\n`;
}

export function summaryLines(r: BenchResults): string[] {
  return [
    'Module init (median; ratio to the SDK-client floor, same run):',
    ...r.bundles.functions.map(
      (f) =>
        `  ${f.name.padEnd(10)} ${kib(f.deployed.bytes).padStart(8)}  ${fixed(f.deployed.initMs).padStart(6)} ms wall ${fixed(f.deployed.initCpuMs).padStart(6)} ms CPU` +
        `  floor ${fixed(f.floor.initMs)} / ${fixed(f.floor.initCpuMs)} ms  ratio ${fixed(f.ratio, 2)} wall, ${fixed(f.ratioCpu, 2)} CPU`,
    ),
    'Warm CPU per invocation (p50):',
    ...r.cpu.handlers.map((h) => `  ${h.name.padEnd(10)} ${fixed(h.cpuMs.p50, 2)} ms CPU, ${fixed(h.wallMs.p50, 2)} ms wall`),
    'Throughput through the local stack:',
    ...r.throughput.levels.map(
      (l) =>
        `  c=${String(l.concurrency).padEnd(3)} raw PutItem ${fixed(l.rawPerSecond, 0)}/s  captures ${fixed(l.capturePerSecond, 0)}/s (×${fixed(l.captureRatio, 2)})  conversions ${fixed(l.conversionPerSecond, 0)}/s`,
    ),
    `Delivery at ${r.latency.rate}/s: p50 ${fixed(r.latency.p50Ms, 0)} ms, p99 ${fixed(r.latency.p99Ms, 0)} ms, ${r.latency.delivered}/${r.latency.deliveries} delivered`,
    `Cost per million: captures ${usd(r.model.capture.total.typical)} (floor ${usd(r.model.capture.floor.total.typical)}), conversions ${usd(r.model.conversion.total.typical)} typical / ${usd(r.model.conversion.total.high)} high volume (floor ${usd(r.model.conversion.floor.total.typical)} / ${usd(r.model.conversion.floor.total.high)})`,
    `Request counts hash ${r.model.measured.hash}`,
    'Targets:',
    ...targetsTable(r).lines,
  ];
}
