/**
 * Bundle size and module-init time of every function, beside its floor: a bundle of nothing but the AWS SDK clients
 * that function needs, built with the same options and loaded the same way, in the same run.
 *
 * Bundling follows TRACKING_BUNDLING, the options the CDK stack passes to esbuild (lib/constructs/tracking-function.ts),
 * translated here option by option as CDK's NodejsFunction translates them; an option this file does not know stops
 * the benchmark rather than being silently ignored. Module init is the time to `require` the bundle – which builds the
 * handler at module scope – in a fresh `node` process (bench/init-probe.cjs), run in interleaved rounds so that the
 * machine's noise falls on every variant alike.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, BuildOptions, Metafile, Plugin } from 'esbuild';
import type { TrackingConfig } from '../lambdas/config/schema';
import { entryPath, PROJECT_ROOT } from '../lib/constructs/paths';
import { TRACKING_BUNDLING } from '../lib/constructs/tracking-function';
import { RUNTIME_CONFIG_FILE, runtimeConfigOf, serializeRuntimeConfig } from '../lambdas/contract/runtime-config';
import { deliveryQueueName, ENV } from '../lambdas/contract/shape';

/** Carries a probe's runtime configuration to runProbe, which writes it where the stack puts it. Bench only. */
export const BUNDLED_CONFIG = 'BENCH_RUNTIME_CONFIG';
import { median, shuffled } from './stats';

export const FUNCTIONS = ['capture', 'identify', 'status', 'conversion', 'deliveries', 'cancellation', 'sender'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/** The SDK clients each function creates – what its floor imports and constructs. */
const SDK_CLIENTS = {
  dynamodb: {
    imports: ["import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';"],
    construct: 'DynamoDBDocumentClient.from(new DynamoDBClient({}))',
  },
  secretsManager: {
    imports: ["import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';"],
    construct: 'new SecretsManagerClient({})',
  },
  sqs: {
    imports: ["import { SQSClient } from '@aws-sdk/client-sqs';"],
    construct: 'new SQSClient({})',
  },
} as const;
type SdkClient = keyof typeof SDK_CLIENTS;

/** API functions read their keys from Secrets Manager; only conversion and the senders talk to SQS. */
export const FUNCTION_CLIENTS: Record<FunctionName, readonly SdkClient[]> = {
  capture: ['dynamodb', 'secretsManager'],
  identify: ['dynamodb', 'secretsManager'],
  status: ['dynamodb', 'secretsManager'],
  conversion: ['dynamodb', 'secretsManager', 'sqs'],
  deliveries: ['dynamodb', 'secretsManager'],
  cancellation: ['dynamodb', 'secretsManager', 'sqs'],
  sender: ['dynamodb', 'sqs'],
};

function floorName(clients: readonly SdkClient[]): string {
  return `floor(${clients.join('+')})`;
}

function floorSource(clients: readonly SdkClient[]): string {
  const imports = clients.flatMap((c) => SDK_CLIENTS[c].imports);
  const constructs = clients.map((c) => `  ${c}: ${SDK_CLIENTS[c].construct},`);
  return [...imports, 'const clients = {', ...constructs, '};', 'export const handler = async () => Object.keys(clients).length;', ''].join('\n');
}

/**
 * Building blocks of the API functions, each measured as the API floor plus that block alone: what each adds to a
 * cold start. `config` blocks import the service's own modules (relative to the project root).
 */
const API_FLOOR_CLIENTS: readonly SdkClient[] = ['dynamodb', 'secretsManager'];
const BLOCKS: ReadonlyArray<{ id: string; label: string; source: string }> = [
  { id: 'logger', label: 'Powertools Logger (constructed)', source: "import { Logger } from '@aws-lambda-powertools/logger';\nexport const block = new Logger({});" },
  { id: 'parameters', label: 'Powertools Parameters `getSecret` (the API key cache)', source: "import { getSecret } from '@aws-lambda-powertools/parameters/secrets';\nexport const block = getSecret;" },
  { id: 'middy', label: '@middy/core (one handler chain)', source: "import middy from '@middy/core';\nexport const block = middy().handler(async () => 1);" },
  { id: 'metrics', label: 'Powertools Metrics (constructed)', source: "import { Metrics } from '@aws-lambda-powertools/metrics';\nexport const block = new Metrics({ namespace: 'bench' });" },
  { id: 'zod-named', label: "zod imported by name (`import { z } from 'zod'`), one schema", source: "import { z } from 'zod';\nexport const block = z.object({ a: z.string() });" },
  { id: 'zod-namespace', label: "zod imported as a namespace (`import * as z from 'zod'`), one schema", source: "import * as z from 'zod';\nexport const block = z.object({ a: z.string() });" },
  {
    id: 'config-schemas',
    label: "the service's configuration schemas, built (config/schema.ts: every vendor's; built on first use, which no API function reaches)",
    source: "import { configSchema } from './lambdas/config/schema';\nexport const block = configSchema();",
  },
  {
    id: 'config-validation',
    label: '… and validating the bundled runtime configuration with them once, at init',
    source:
      "import { readFileSync } from 'node:fs';\nimport { join } from 'node:path';\nimport { parseConfig } from './lambdas/config/schema';\n" +
      // The runtime configuration adds what the stack derives (deliveryQueues), which the configuration's schema refuses.
      "const { deliveryQueues: _derived, ...given } = JSON.parse(readFileSync(join(__dirname, 'runtime-config.json'), 'utf8'));\n" +
      'export const block = parseConfig(given);',
  },
];

function blockSource(source: string): string {
  const clients = API_FLOOR_CLIENTS;
  return [...clients.flatMap((c) => SDK_CLIENTS[c].imports), source, `export const clients = [${clients.map((c) => SDK_CLIENTS[c].construct).join(', ')}];`, 'export const handler = async () => block;', ''].join('\n');
}

/** The CDK options this file knows how to pass to esbuild; see Bundling.buildEsbuildArgs in aws-cdk-lib. */
const KNOWN_OPTIONS = new Set([
  'minify', 'sourceMap', 'sourceMapMode', 'sourcesContent', 'target', 'externalModules', 'mainFields', 'format', 'loader',
  'define', 'logLevel', 'keepNames', 'tsconfig', 'metafile', 'banner', 'footer', 'inject', 'charset',
]);

/** esbuild's options for a NodejsFunction bundled with `bundling`, as CDK builds them (without Docker). */
export function esbuildOptions(bundling: Readonly<BundlingOptions>): BuildOptions {
  const unknown = Object.keys(bundling).filter((key) => !KNOWN_OPTIONS.has(key));
  if (unknown.length) {
    throw new Error(`bench/bundles.ts does not know how CDK passes ${unknown.join(', ')} to esbuild: add it to esbuildOptions`);
  }
  if (!bundling.target) throw new Error('TRACKING_BUNDLING must name its esbuild target (CDK would derive it from the runtime)');
  const sourceMapMode = bundling.sourceMapMode ?? 'default';
  return {
    bundle: true,
    platform: 'node',
    target: bundling.target,
    ...(bundling.format ? { format: bundling.format } : {}),
    minify: bundling.minify ?? false,
    // CDK's `--sourcemap` (mode DEFAULT) is esbuild's linked source map: a .map file beside the bundle.
    sourcemap: bundling.sourceMap ? (sourceMapMode === 'default' ? 'linked' : sourceMapMode) : false,
    sourcesContent: bundling.sourcesContent ?? true,
    // CDK's default for Node 18 and later when externalModules is not given.
    external: [...(bundling.externalModules ?? ['@aws-sdk/*'])],
    ...(bundling.mainFields ? { mainFields: [...bundling.mainFields] } : {}),
    ...(bundling.loader ? { loader: bundling.loader as BuildOptions['loader'] } : {}),
    ...(bundling.define ? { define: bundling.define } : {}),
    logLevel: (bundling.logLevel as BuildOptions['logLevel']) ?? 'warning',
    ...(bundling.keepNames ? { keepNames: true } : {}),
    ...(bundling.tsconfig ? { tsconfig: bundling.tsconfig } : {}),
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.footer ? { footer: { js: bundling.footer } } : {}),
    ...(bundling.inject ? { inject: [...bundling.inject] } : {}),
    ...(bundling.charset ? { charset: bundling.charset as BuildOptions['charset'] } : {}),
    absWorkingDir: PROJECT_ROOT.dir,
  };
}

export interface BuiltBundle {
  path: string;
  bytes: number;
  mapBytes: number;
  /** Bytes of output by npm package (or by source folder for the project's own code), largest first. */
  composition: Array<{ source: string; bytes: number }>;
}

type Source = { entry: string } | { contents: string; name: string };

async function bundle(source: Source, outdir: string, bundling: Readonly<BundlingOptions>, plugins: Plugin[] = []): Promise<BuiltBundle> {
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'index.js');
  const options = esbuildOptions(bundling);
  const result = await build({
    ...options,
    ...('entry' in source
      ? { entryPoints: [source.entry] }
      : { stdin: { contents: source.contents, resolveDir: PROJECT_ROOT.dir, loader: 'ts', sourcefile: `${source.name}.ts` } }),
    outfile,
    metafile: true,
    plugins,
  });
  const mapPath = `${outfile}.map`;
  let mapBytes = 0;
  try {
    mapBytes = statSync(mapPath).size;
  } catch {
    // No source map in this variant.
  }
  return { path: outfile, bytes: statSync(outfile).size, mapBytes, composition: composition(result.metafile, outfile) };
}

function composition(metafile: Metafile, outfile: string): BuiltBundle['composition'] {
  const output = Object.entries(metafile.outputs).find(([path]) => outfile.endsWith(path.replace(/^(\.\.\/)+/, '').replace(/^\//, '')))?.[1]
    ?? Object.entries(metafile.outputs).find(([path]) => path.endsWith('.js'))![1];
  const bySource = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const inModules = input.lastIndexOf('node_modules/');
    let source: string;
    if (inModules >= 0) {
      const parts = input.slice(inModules + 'node_modules/'.length).split('/');
      source = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
      // zod's locales are worth naming: they are most of what a by-name import of zod costs.
      if (source === 'zod' && parts.includes('locales')) source = 'zod (locales)';
    } else {
      source = input.split('/').slice(0, 2).join('/');
    }
    bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
  }
  return [...bySource.entries()].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * The environment each function gets from the stack (names from lambdas/contract/shape.ts), with placeholder resource values. The
 * runtime configuration travels under BUNDLED_CONFIG here only to reach runProbe, which writes it beside the bundle
 * as RUNTIME_CONFIG_FILE, where the stack puts it, and drops it from the environment.
 */
export function functionEnvironment(name: FunctionName, config: TrackingConfig): Record<string, string> {
  const deliveryQueues = Object.fromEntries(Object.keys(config.vendors).map((id) => [id, deliveryQueueName('ConversionTracking', id)]));
  const common = {
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_SERVICE_NAME: 'conversion-tracking',
    [ENV.tableName]: 'bench-table',
    [BUNDLED_CONFIG]: serializeRuntimeConfig(runtimeConfigOf(config, deliveryQueues)),
  };
  if (name === 'sender') {
    const destination = Object.keys(config.vendors)[0]!;
    return {
      ...common,
      [ENV.destination]: destination,
      [ENV.queueUrl]: `https://sqs.eu-west-1.amazonaws.com/123456789012/${deliveryQueues[destination]}`,
      [ENV.deadLetterQueueUrl]: `https://sqs.eu-west-1.amazonaws.com/123456789012/${deliveryQueues[destination]}-dlq`,
    };
  }
  return {
    ...common,
    ...(name === 'conversion' || name === 'cancellation' ? { [ENV.queueUrlBase]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/' } : {}),
    [ENV.apiKeysSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench-api-keys',
  };
}

interface ProbeSpec {
  id: string;
  bundle: BuiltBundle;
  env: Record<string, string>;
  /** Invoke GET /v1/health after loading (the status function serves it): the bundle must work, not just load. */
  health?: boolean;
}

export interface ProbeResult {
  initMs: number;
  initCpuMs: number;
  processReadyMs: number;
  rssMb: number;
  heapUsedMb: number;
  healthStatus?: number;
}

function runProbe(spec: ProbeSpec): Promise<ProbeResult> {
  const probe = join(__dirname, 'init-probe.cjs');
  const { [BUNDLED_CONFIG]: bundledConfig, ...env } = spec.env;
  if (bundledConfig !== undefined) writeFileSync(join(dirname(spec.bundle.path), RUNTIME_CONFIG_FILE), bundledConfig);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [probe, spec.bundle.path, ...(spec.health ? ['health'] : [])],
      // Nothing of the benchmark's own environment: a function sees only what Lambda and the stack give it.
      { env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env }, timeout: 30_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${spec.id}: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as ProbeResult);
        } catch {
          reject(new Error(`${spec.id}: unreadable probe output ${stdout} ${stderr}`));
        }
      },
    );
  });
}

export interface InitFigures {
  id: string;
  bytes: number;
  mapBytes: number;
  initMs: number;
  initCpuMs: number;
  rssMb: number;
  samples: number[];
}

export interface FunctionInit {
  name: FunctionName;
  deployed: InitFigures;
  floor: InitFigures;
  /** Median over rounds of (function init ÷ floor init) measured in the same round. */
  ratio: number;
  ratioCpu: number;
  composition: BuiltBundle['composition'];
}

export interface VariantComparison {
  label: string;
  explanation: string;
  subject: InitFigures;
  floor: InitFigures;
  ratio: number;
  ratioCpu: number;
  /** The same function as deployed, for the size and time difference. */
  deployed: InitFigures;
}

export interface BlockFigures {
  label: string;
  figures: InitFigures;
  /** Median over rounds of (floor + block) − floor, measured in the same round. */
  addedMs: number;
  addedCpuMs: number;
}

export interface BundleReport {
  rounds: number;
  functions: FunctionInit[];
  variants: VariantComparison[];
  apiFloor: InitFigures;
  blocks: BlockFigures[];
  healthStatus: number | undefined;
  seconds: number;
}

/**
 * Module init of the given functions beside their floors only (no variants, no building blocks): the quick measure of
 * `npm run bench:init`. Same bundling, environment, probe and pairing as measureBundles.
 */
export async function measureFunctionInit(
  workDir: string,
  config: TrackingConfig,
  rounds: number,
  names: readonly FunctionName[] = FUNCTIONS,
): Promise<FunctionInit[]> {
  // The stack sets no NODE_OPTIONS (stack traces are mapped by the bundle itself, lambdas/runtime/stack-traces.ts): a
  // deployed function is started with its environment alone, a floor with its region.
  const specs: ProbeSpec[] = [];
  const pairs: Array<{ name: FunctionName; id: string; floorId: string; bundle: BuiltBundle }> = [];
  for (const name of names) {
    const built = await bundle({ entry: entryPath(name) }, join(workDir, 'functions', name), TRACKING_BUNDLING);
    const id = `${name}/deployed`;
    specs.push({ id, bundle: built, env: functionEnvironment(name, config), health: name === 'status' });
    const floorId = `${floorName(FUNCTION_CLIENTS[name])}/deployed`;
    if (!specs.some((s) => s.id === floorId)) {
      const clients = FUNCTION_CLIENTS[name];
      const floor = await bundle({ contents: floorSource(clients), name: floorName(clients) }, join(workDir, 'floors', floorId.replace(/[^a-z0-9]+/gi, '-')), TRACKING_BUNDLING);
      specs.push({ id: floorId, bundle: floor, env: { AWS_REGION: 'eu-west-1' } });
    }
    pairs.push({ name, id, floorId, bundle: built });
  }
  const samples = await probeRounds(specs, rounds);
  return pairs.map(({ name, id, floorId, bundle: built }) => ({
    name,
    deployed: initFigures(specs, samples, id),
    floor: initFigures(specs, samples, floorId),
    ratio: pairedRatio(samples, id, floorId, 'initMs'),
    ratioCpu: pairedRatio(samples, id, floorId, 'initCpuMs'),
    composition: built.composition,
  }));
}

/** Every spec once per round, in a different order each round, so that the machine's noise falls on all alike. */
async function probeRounds(specs: readonly ProbeSpec[], rounds: number): Promise<Map<string, ProbeResult[]>> {
  const samples = new Map<string, ProbeResult[]>(specs.map((s) => [s.id, []]));
  for (let round = 0; round < rounds; round++) {
    for (const spec of shuffled(specs, round + 1)) samples.get(spec.id)!.push(await runProbe(spec));
  }
  return samples;
}

function initFigures(specs: readonly ProbeSpec[], samples: Map<string, ProbeResult[]>, id: string): InitFigures {
  const spec = specs.find((s) => s.id === id)!;
  const runs = samples.get(id)!;
  return {
    id,
    bytes: spec.bundle.bytes,
    mapBytes: spec.bundle.mapBytes,
    initMs: median(runs.map((r) => r.initMs)),
    initCpuMs: median(runs.map((r) => r.initCpuMs)),
    rssMb: median(runs.map((r) => r.rssMb)),
    samples: runs.map((r) => r.initMs),
  };
}

/** Median over rounds of (subject ÷ floor) measured in the same round. */
function pairedRatio(samples: Map<string, ProbeResult[]>, id: string, floorId: string, key: 'initMs' | 'initCpuMs'): number {
  const a = samples.get(id)!;
  const b = samples.get(floorId)!;
  return median(a.map((run, i) => run[key] / b[i]![key]));
}

/** The libraries a function carries beyond its SDK floor: the validator, Powertools and middy. */
const LIBRARIES = /^(zod(\/.*)?|@aws-lambda-powertools\/.*|@middy\/core)$/;
const POWERTOOLS_AND_MIDDY = /^(@aws-lambda-powertools\/.*|@middy\/core)$/;

/**
 * A module that costs nothing to load and lets any code built on it run: every export, whatever its name, is one
 * no-op function that returns itself when called, constructed, extended or read. Module-scope code that builds schemas,
 * extends a formatter class or constructs a logger goes through; a request would not be served.
 */
const STAND_IN_MODULE = `const names = new Proxy({}, { get: (_, key) => (key === 'then' || key === '__esModule' ? undefined : any) });
const any = new Proxy(function () {}, {
  get: (target, key) => (key === 'prototype' ? target.prototype : key === 'then' ? undefined : any),
  apply: () => any,
  construct: () => any,
  getPrototypeOf: () => names,
  ownKeys: () => ['prototype'],
});
module.exports = any;`;

/**
 * An esbuild plugin resolving every import of the packages `packages` matches to STAND_IN_MODULE: the function's
 * bundle without those libraries' code, which measures what the rest of the function costs at init.
 */
export function standIns(packages: RegExp): Plugin {
  return {
    name: 'stand-ins',
    setup(build) {
      build.onResolve({ filter: packages }, (args) => ({ path: args.path, namespace: 'stand-in' }));
      build.onLoad({ filter: /.*/, namespace: 'stand-in' }, () => ({ contents: STAND_IN_MODULE, loader: 'js' }));
    },
  };
}

/** Builds every bundle and variant into `workDir`, then measures them all in interleaved rounds. */
export async function measureBundles(workDir: string, config: TrackingConfig, rounds: number, log: (line: string) => void): Promise<BundleReport> {
  const started = Date.now();
  const external: Readonly<BundlingOptions> = { ...TRACKING_BUNDLING, externalModules: ['@aws-sdk/*'] };
  const { mainFields: _mainFields, ...commonJsFirst } = TRACKING_BUNDLING;
  // The stack sets no NODE_OPTIONS (stack traces are mapped by the bundle itself, lambdas/runtime/stack-traces.ts): a
  // deployed function is started with its environment alone, a floor with its region.
  // An external SDK is found where the runtime keeps its own: on NODE_PATH, loaded unminified from node_modules.
  const onNodePath = { NODE_PATH: join(PROJECT_ROOT.dir, 'node_modules') };

  const specs: ProbeSpec[] = [];
  const builtFloors = new Map<string, BuiltBundle>();
  const floorSpec = async (clients: readonly SdkClient[], variant: string, bundling: Readonly<BundlingOptions>, env: Record<string, string>) => {
    const id = `${floorName(clients)}/${variant}`;
    if (!builtFloors.has(id)) {
      const built = await bundle({ contents: floorSource(clients), name: floorName(clients) }, join(workDir, 'floors', id.replace(/[^a-z0-9]+/gi, '-')), bundling);
      builtFloors.set(id, built);
      specs.push({ id, bundle: built, env: { AWS_REGION: 'eu-west-1', ...env } });
    }
    return id;
  };

  log(`  bundling ${FUNCTIONS.length} functions and their floors with the CDK options…`);
  const deployedIds = new Map<FunctionName, { id: string; floorId: string; bundle: BuiltBundle }>();
  for (const name of FUNCTIONS) {
    const built = await bundle({ entry: entryPath(name) }, join(workDir, 'functions', name), TRACKING_BUNDLING);
    const id = `${name}/deployed`;
    specs.push({ id, bundle: built, env: functionEnvironment(name, config), health: name === 'status' });
    deployedIds.set(name, { id, bundle: built, floorId: await floorSpec(FUNCTION_CLIENTS[name], 'deployed', TRACKING_BUNDLING, {}) });
  }

  log('  bundling the variants behind the bundling decisions…');
  const variantDefs: Array<{
    fn: FunctionName;
    variant: string;
    label: string;
    explanation: string;
    bundling: Readonly<BundlingOptions>;
    env: Record<string, string>;
    plugins?: Plugin[];
    /** Built and started as deployed (only imports no floor makes differ): compared with the deployed floor. */
    deployedFloor?: true;
  }> = [];
  for (const fn of ['capture', 'sender'] as const) {
    variantDefs.push({
      fn,
      variant: 'sdk-external',
      label: `${fn}: AWS SDK external (runtime's copy)`,
      explanation: '`@aws-sdk/*` marked external and loaded unminified from node_modules through NODE_PATH, as the Node.js 24 runtime provides it',
      bundling: external,
      env: onNodePath,
    });
  }
  variantDefs.push(
    {
      fn: 'capture',
      variant: 'commonjs-first',
      label: 'capture: CommonJS builds (esbuild default main fields)',
      explanation: 'the bundling before this change: packages resolved through `main`, so the SDK is bundled from its CommonJS build, untree-shaken',
      bundling: commonJsFirst,
      env: {},
    },
    {
      fn: 'sender',
      variant: 'unused-code-bundled',
      label: 'sender: with the code no deployed function runs',
      explanation: "the vendors' sandbox checks and the Secrets Manager reader of vendor credentials bundled, as they were before this change",
      bundling: {
        ...TRACKING_BUNDLING,
        define: { ...TRACKING_BUNDLING.define, 'process.env.TRACKING_SANDBOX_BUNDLED': JSON.stringify('true'), 'process.env.TRACKING_VENDOR_SECRETS_BUNDLED': JSON.stringify('true') },
      },
      env: {},
    },
    {
      fn: 'capture',
      variant: 'enable-source-maps',
      label: "capture: Node's --enable-source-maps instead",
      explanation: 'the bundle without its own stack-trace mapping, started with `NODE_OPTIONS=--enable-source-maps` as before this change (the floor likewise)',
      bundling: { ...TRACKING_BUNDLING, define: { ...TRACKING_BUNDLING.define, 'process.env.TRACKING_STACK_TRACES_BUNDLED': JSON.stringify('false') } },
      env: { NODE_OPTIONS: '--enable-source-maps' },
    },
  );
  const standInExplanation = (what: string) =>
    `every import of ${what} resolved to a stand-in that costs nothing to load (bench/bundles.ts, STAND_IN_MODULE); the bundle starts, but would serve nothing: what the rest of the function costs at init`;
  for (const fn of ['capture', 'conversion', 'sender'] as const) {
    variantDefs.push({
      fn,
      variant: 'libraries-stood-in',
      label: `${fn}: zod, Powertools and middy stood in for`,
      explanation: standInExplanation('zod, Powertools and middy'),
      bundling: TRACKING_BUNDLING,
      env: {},
      plugins: [standIns(LIBRARIES)],
      deployedFloor: true,
    });
  }
  variantDefs.push({
    fn: 'conversion',
    variant: 'powertools-stood-in',
    label: 'conversion: Powertools and middy stood in for',
    explanation: standInExplanation('Powertools and middy (zod kept)'),
    bundling: TRACKING_BUNDLING,
    env: {},
    plugins: [standIns(POWERTOOLS_AND_MIDDY)],
    deployedFloor: true,
  });
  const variantIds: Array<{ def: (typeof variantDefs)[number]; id: string; floorId: string }> = [];
  for (const def of variantDefs) {
    const id = `${def.fn}/${def.variant}`;
    const built = await bundle({ entry: entryPath(def.fn) }, join(workDir, 'variants', id.replace('/', '-')), def.bundling, def.plugins);
    specs.push({ id, bundle: built, env: { ...functionEnvironment(def.fn, config), ...def.env } });
    // The floor of a variant is built and started the same way as the variant: the deployed floor, when the variant
    // differs from the deployed bundle only in imports no floor makes.
    variantIds.push({ def, id, floorId: await floorSpec(FUNCTION_CLIENTS[def.fn], def.deployedFloor ? 'deployed' : def.variant, def.bundling, def.env) });
  }

  log('  bundling the building blocks of an API function…');
  const apiFloorId = await floorSpec(API_FLOOR_CLIENTS, 'deployed', TRACKING_BUNDLING, {});
  const blockIds: Array<{ label: string; id: string }> = [];
  for (const block of BLOCKS) {
    const id = `block/${block.id}`;
    const built = await bundle({ contents: blockSource(block.source), name: `block-${block.id}` }, join(workDir, 'blocks', block.id), TRACKING_BUNDLING);
    specs.push({ id, bundle: built, env: functionEnvironment('capture', config) });
    blockIds.push({ label: block.label, id });
  }

  log(`  measuring ${specs.length} bundles × ${rounds} fresh processes, interleaved…`);
  const samples = await probeRounds(specs, rounds);
  const figures = (id: string): InitFigures => initFigures(specs, samples, id);

  const functions = FUNCTIONS.map((name): FunctionInit => {
    const { id, floorId, bundle: built } = deployedIds.get(name)!;
    return {
      name,
      deployed: figures(id),
      floor: figures(floorId),
      ratio: pairedRatio(samples, id, floorId, 'initMs'),
      ratioCpu: pairedRatio(samples, id, floorId, 'initCpuMs'),
      composition: built.composition,
    };
  });
  const variants = variantIds.map(({ def, id, floorId }): VariantComparison => ({
    label: def.label,
    explanation: def.explanation,
    subject: figures(id),
    floor: figures(floorId),
    ratio: pairedRatio(samples, id, floorId, 'initMs'),
    ratioCpu: pairedRatio(samples, id, floorId, 'initCpuMs'),
    deployed: figures(deployedIds.get(def.fn)!.id),
  }));
  const pairedDifference = (id: string, key: 'initMs' | 'initCpuMs') => {
    const base = samples.get(apiFloorId)!;
    return median(samples.get(id)!.map((run, i) => run[key] - base[i]![key]));
  };
  const blocks = blockIds.map(({ label, id }): BlockFigures => ({
    label,
    figures: figures(id),
    addedMs: pairedDifference(id, 'initMs'),
    addedCpuMs: pairedDifference(id, 'initCpuMs'),
  }));
  const healthStatus = samples.get(deployedIds.get('status')!.id)!.find((r) => r.healthStatus !== undefined)?.healthStatus;
  return { rounds, functions, variants, apiFloor: figures(apiFloorId), blocks, healthStatus, seconds: (Date.now() - started) / 1000 };
}
