/**
 * What the API functions' bundles hold, built as the stack builds them (TRACKING_BUNDLING): module init is paid per
 * byte bundled and per top-level statement run (docs/PERFORMANCE.md, "Bundles and module init"), so a function that
 * never plans nor sends must not carry the vendors' wire formats, nor the stores of the records it never touches.
 * A module that only some of a bundle's code reaches is still bundled when one of its top-level statements may have
 * an effect (a call, a spread, a `new RegExp`): these tests catch such a statement creeping back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, Metafile } from 'esbuild';
import { BUNDLED_CONFIG, esbuildOptions, functionEnvironment, FunctionName } from '../../bench/bundles';
import { benchConfig } from '../../bench/setup';
import { entryPath } from '../../lib/constructs/paths';
import { readsVendorSecrets, TRACKING_BUNDLING, trackingBundling } from '../../lib/constructs/tracking-function';
import { RUNTIME_CONFIG_FILE } from '../../lambdas/contract/runtime-config';

/**
 * The function's bundle built with `bundling` as CDK builds it: the source files (relative to the project) of which it
 * holds at least one byte, and its text.
 */
async function bundleOf(name: string, bundling: Readonly<BundlingOptions> = TRACKING_BUNDLING): Promise<{ sources: string[]; text: string }> {
  const result = await build({ ...esbuildOptions(bundling), entryPoints: [entryPath(name)], write: false, outdir: 'out', metafile: true, logLevel: 'silent' });
  const outputs = Object.values((result.metafile as Metafile).outputs).filter((o) => o.entryPoint !== undefined);
  const sources = outputs.flatMap((o) => Object.entries(o.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path));
  const text = result.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => f.text).join('\n');
  return { sources, text };
}

/**
 * The function's bundle built as the stack builds it into `dir`, with its runtime configuration (the bench
 * configuration's) and a way to start it as Lambda loads it: in a fresh process with the function's environment and
 * `runtimeConfig` beside the bundle, then `after` run in the same process.
 */
async function deployedBundle(name: FunctionName, dir: string) {
  await build({ ...esbuildOptions(TRACKING_BUNDLING), entryPoints: [entryPath(name)], outfile: join(dir, 'index.js'), logLevel: 'silent' });
  const { [BUNDLED_CONFIG]: configText, ...env } = functionEnvironment(name, benchConfig('http://localhost:3000'));
  const config = JSON.parse(configText!) as Record<string, unknown>;
  const start = (runtimeConfig: object = config, after = '') => {
    writeFileSync(join(dir, RUNTIME_CONFIG_FILE), JSON.stringify(runtimeConfig));
    const script = `require(${JSON.stringify(join(dir, 'index.js'))});${after}`;
    return spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env }, encoding: 'utf8' });
  };
  return { config, start };
}

/** The source files of which the function's deployed bundle holds at least one byte. */
async function bundledSources(name: string): Promise<string[]> {
  return (await bundleOf(name)).sources;
}

/** A vendor's wire format: its adapter, request mapping, configuration schema, sandbox checks, answer classification. */
const WIRE_FORMAT = /^lambdas\/vendors\/(?:[a-z]+\/(?:adapter|mapping|config|sandbox|cancel)|classify|template|query|no-error|click-id-plan|registry)\.ts$/;

const LEAN: ReadonlyArray<{ name: string; stores: string[] }> = [
  { name: 'capture', stores: ['visitor-store'] },
  { name: 'identify', stores: ['visitor-store'] },
  { name: 'status', stores: ['order-store'] },
  { name: 'deliveries', stores: ['delivery-store'] },
];
const STORES = ['visitor-store', 'order-store', 'delivery-store', 'tracking-store'];

describe.each(LEAN)('the $name bundle', ({ name, stores }) => {
  let sources: string[];
  beforeAll(async () => {
    sources = await bundledSources(name);
  }, 60_000);

  it('holds no vendor wire format', () => {
    expect(sources.filter((s) => WIRE_FORMAT.test(s))).toEqual([]);
  });

  it(name === 'status' ? 'holds no zod: it validates its one path parameter by hand' : 'validates with zod/mini', () => {
    expect(sources.some((s) => s.includes('node_modules/zod/'))).toBe(name !== 'status');
  });

  it(`holds of the data layer only ${stores.join(', ')}`, () => {
    const held = STORES.filter((store) => sources.includes(`lambdas/store/${store}.ts`));
    expect(held).toEqual(stores);
  });
});

describe.each(['capture', 'identify', 'status', 'deliveries', 'conversion', 'cancellation', 'sender'])('the %s bundle', (name) => {
  it('validates with zod/mini and its English messages alone, never the full zod (the configuration schema, synthesis only, uses it)', async () => {
    const sources = await bundledSources(name);
    // The packages' index files appear by their lazy-init wiring alone (a few bytes each) where zod is loaded on first
    // use (core/zod-mini.ts); none of the other locales they list comes with them.
    const wiring = /node_modules\/zod\/(?:mini|locales|v4\/locales)\/index\.js$/;
    expect(sources.filter((s) => s.includes('node_modules/zod/') && !wiring.test(s) && !/node_modules\/zod\/v4\/(?:core|mini)\/|node_modules\/zod\/v4\/locales\/en\.js$/.test(s))).toEqual([]);
    // A function that validates answers with zod's English messages (core/zod-en.ts, core/zod-api.ts), never "Invalid input" alone.
    if (sources.some((s) => s.includes('node_modules/zod/v4/mini/'))) expect(sources).toContain('node_modules/zod/v4/locales/en.js');
  }, 60_000);
});

describe('the conversion bundle', () => {
  it('holds the visitor and order stores, never the delivery records’ (a conversion writes its deliveries with the order)', async () => {
    const sources = await bundledSources('conversion');
    expect(STORES.filter((store) => sources.includes(`lambdas/store/${store}.ts`))).toEqual(['visitor-store', 'order-store']);
  }, 60_000);
});

describe('code no deployed function runs is left out', () => {
  it.each(['conversion', 'cancellation', 'sender'])('the %s bundle holds no vendor sandbox checks (only the local sandbox inspects requests)', async (name) => {
    const { sources } = await bundleOf(name);
    expect(sources.filter((s) => /^lambdas\/vendors\/[a-z]+\/sandbox\.ts$/.test(s))).toEqual([]);
    // The adapters are there: only their `inspect` was replaced.
    expect(sources).toContain('lambdas/vendors/kelkoo/adapter.ts');
  }, 60_000);

  it.each(['status', 'sender'])('the untraced %s bundle holds none of the X-Ray wrappers', async (name) => {
    const { text } = await bundleOf(name);
    expect(text).not.toContain('XRaySDKInstrumentation');
    expect((await bundleOf(name, trackingBundling(true))).text).toContain('XRaySDKInstrumentation');
  }, 60_000);

  it('a sender holds the Secrets Manager reader only when its configuration names secrets', async () => {
    const packagesOf = (sources: string[]) => new Set(sources.map((s) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s)?.[1]).filter(Boolean));
    const without = packagesOf((await bundleOf('sender')).sources);
    expect(without.has('@aws-sdk/client-secrets-manager')).toBe(false);
    expect(without.has('@aws-lambda-powertools/parameters')).toBe(false);
    const withSecrets = packagesOf((await bundleOf('sender', trackingBundling(false, true))).sources);
    expect(withSecrets.has('@aws-sdk/client-secrets-manager')).toBe(true);
    expect(withSecrets.has('@aws-lambda-powertools/parameters')).toBe(true);
  }, 60_000);

  it('the stack bundles the reader for a configuration that names secrets, and for no other', () => {
    expect(readsVendorSecrets(undefined)).toBe(false);
    expect(readsVendorSecrets(JSON.stringify({ vendors: {} }))).toBe(false);
    expect(readsVendorSecrets(JSON.stringify({ vendors: {}, secrets: [] }))).toBe(false);
    expect(readsVendorSecrets(JSON.stringify({ vendors: {}, secrets: [{ path: ['vendors', 'klevu', 'apiKey'], secret: 'klevu-key' }] }))).toBe(true);
  });

  it('capture and identify start without evaluating zod (it loads with the first body their own checks leave to a schema); conversion does evaluate it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zod-at-init-'));
    try {
      const zodAtInit = async (name: 'capture' | 'identify' | 'conversion') => {
        // zod's core module sets this global when it is evaluated.
        const run = (await deployedBundle(name, join(dir, name))).start(undefined, 'process.stdout.write(String(globalThis.__zod_globalConfig !== undefined))');
        expect(run.stderr).toBe('');
        return run.stdout;
      };
      expect(await zodAtInit('capture')).toBe('false');
      expect(await zodAtInit('identify')).toBe('false');
      expect(await zodAtInit('conversion')).toBe('true');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a sender bundled without the reader refuses to start with a configuration that names secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sender-no-reader-'));
    try {
      const { config, start } = await deployedBundle('sender', dir);
      const plain = start(config);
      expect(plain.stderr).toBe('');
      expect(plain.status).toBe(0);
      const named = start({ ...config, secrets: [{ path: ['vendors', 'klevu', 'apiKey'], secret: 'klevu-key' }] });
      expect(named.status).not.toBe(0);
      expect(named.stderr).toContain('bundled without the Secrets Manager reader');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
