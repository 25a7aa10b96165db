/**
 * Stack traces of a deployed function name the TypeScript sources without Node's --enable-source-maps
 * (lambdas/runtime/stack-traces.ts): a bundle built as the stack builds it (TRACKING_BUNDLING, minified, with its
 * source map beside it) is run in a process of its own with no NODE_OPTIONS, and its trace read back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../../bench/bundles';
import { entryPath, PROJECT_ROOT } from '../../lib/constructs/paths';
import { TRACKING_BUNDLING } from '../../lib/constructs/tracking-function';
import { sourcePath } from '../../lambdas/runtime/stack-traces';

/** Line 5 throws, line 9 calls the function that throws, line 11 calls that one. */
const ENTRY = (module: string) =>
  [
    `import { mapStackTraces } from ${JSON.stringify(module)};`,
    "if (process.env.TRACKING_STACK_TRACES_BUNDLED === 'true') mapStackTraces(__filename);",
    '',
    'function chargeTheCard(amount: number): number {',
    '  if (amount > 0) throw new Error(`declined: ${amount}`);',
    '  return amount;',
    '}',
    'export function placeOrder(amount: number): number {',
    '  return chargeTheCard(amount) + 1;',
    '}',
    'try { placeOrder(Number(process.argv[2] ?? 42)); } catch (error) {',
    '  process.stdout.write(JSON.stringify({ stack: (error as Error).stack }));',
    '}',
    '',
  ].join('\n');

describe('stack traces of a bundled function', () => {
  let dir: string;
  let bundle: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stack-traces-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, ENTRY(join(PROJECT_ROOT.dir, 'lambdas/runtime/stack-traces')));
    bundle = join(dir, 'out', 'index.js');
    await build({ ...esbuildOptions(TRACKING_BUNDLING), entryPoints: [entry], outfile: bundle, logLevel: 'silent' });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const traceOf = () => {
    const run = spawnSync(process.execPath, [bundle], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    return (JSON.parse(run.stdout) as { stack: string }).stack.split('\n');
  };

  it('names the TypeScript file, line and function of each frame in the bundle, and leaves Node’s own frames as they are', () => {
    const [headline, ...frames] = traceOf();
    expect(headline).toBe('Error: declined: 42');
    expect(frames[0]).toMatch(/^ {4}at chargeTheCard \(\S*entry\.ts:5:\d+\)$/);
    expect(frames[1]).toMatch(/^ {4}at placeOrder \(\S*entry\.ts:9:\d+\)$/);
    expect(frames[2]).toMatch(/^ {4}at \S.* \(\S*entry\.ts:11:\d+\)$/);
    expect(frames.some((f) => /^ {4}at .*\(node:internal\/[^)]+\)$/.test(f))).toBe(true);
    expect(frames.filter((f) => f.includes('index.js'))).toEqual([]);
  });

  it('keeps the generated positions, and never throws, when the source map cannot be read', () => {
    rmSync(`${bundle}.map`);
    const [headline, ...frames] = traceOf();
    expect(headline).toBe('Error: declined: 42');
    expect(frames[0]).toMatch(/^ {4}at .*index\.js:\d+:\d+\)?$/);
    expect(frames.filter((f) => f.includes('entry.ts'))).toEqual([]);
  });

  it('is a switch of the build: the deployed bundles carry the hook, a bundle built without the switch carries none of it', async () => {
    const text = async (define: Record<string, string>) =>
      (await build({ ...esbuildOptions({ ...TRACKING_BUNDLING, define }), entryPoints: [entryPath('capture')], write: false, outdir: 'out', logLevel: 'silent' })).outputFiles
        .filter((f) => f.path.endsWith('.js'))
        .map((f) => f.text)
        .join('\n');
    expect(await text(TRACKING_BUNDLING.define!)).toContain('prepareStackTrace');
    expect(await text({ ...TRACKING_BUNDLING.define, 'process.env.TRACKING_STACK_TRACES_BUNDLED': JSON.stringify('false') })).not.toContain('prepareStackTrace');
  }, 60_000);
});

describe('sourcePath', () => {
  it("names a source by the project's path, without the climb out of the build directory", () => {
    expect(sourcePath('../../lambdas/api/capture.ts')).toBe('lambdas/api/capture.ts');
    expect(sourcePath('../../../node_modules/@smithy/core/dist-es/index.js')).toBe('node_modules/@smithy/core/dist-es/index.js');
    expect(sourcePath('./lambdas/core/time.ts')).toBe('lambdas/core/time.ts');
    expect(sourcePath('lambdas/core/time.ts')).toBe('lambdas/core/time.ts');
  });
});
