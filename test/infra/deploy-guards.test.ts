/**
 * bin/app.ts refuses what cannot work deployed before anything is synthesised: a copy of the local stack's example
 * (sandbox endpoints, demo ids), the production example's placeholders, and a stack over CloudFormation's resource
 * limit; `-c allowSandbox=true` lets a test deployment through with a warning. And the README's deploy steps, followed
 * from a fresh copy of the production example with `cdk synth` in place of deploy, give an assembly that calls no
 * loopback or sandbox endpoint.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { placeholderIssues, PRODUCTION_EXAMPLE_CONFIG_FILE } from '../../lambdas/config/deploy-guards';
import { EXAMPLE_CONFIG_FILE, REPO_ROOT } from '../../lambdas/config/load';
import { parseConfig } from '../../lambdas/config/schema';
import { bundleCacheEnv } from '../support/bundle-cache';

let dir: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
let runs = 0;

interface Synthesis {
  status: number | null;
  stderr: string;
  outDir: string;
}

/**
 * `cdk synth` of bin/app.ts as the CLI runs it: the configuration file and context given, bundling skipped unless asked
 * (functions bundled alike then share one esbuild run, test/support/bundle-cache.ts).
 */
function synth(configPath: string, context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): Promise<Synthesis> {
  const outDir = join(dir, `cdk.out-${++runs}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('bin', 'app.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...(options.bundle ? bundleCacheEnv() : process.env),
        CDK_OUTDIR: outDir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...FEATURE_FLAGS, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), config: configPath, ...context }),
      },
      timeout: 240_000,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr, outDir }));
  });
}

function writeConfig(name: string, raw: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(raw, null, 2));
  return path;
}

/** The warnings the stack carries in the assembly, which cdk synth and cdk deploy print. */
function warnings(outDir: string): string[] {
  type Metadata = Record<string, Array<{ type: string; data: unknown }>>;
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { metadata?: Metadata; additionalMetadataFile?: string }>;
  };
  return Object.values(manifest.artifacts)
    .flatMap((artifact) => [
      ...Object.values(artifact.metadata ?? {}).flat(),
      ...(artifact.additionalMetadataFile ? Object.values(JSON.parse(readFileSync(join(outDir, artifact.additionalMetadataFile), 'utf8')) as Metadata).flat() : []),
    ])
    .filter((entry) => entry.type === 'aws:cdk:warning')
    .map((entry) => String(entry.data));
}

/** A copy of the local example, of the production example, and of the latter filled in as the README says. */
let copy: string;
let unfilled: string;
let filled: string;
/**
 * Every synth of this file, started together (each is a process of its own, mostly waiting on one core while the
 * other is free); each test awaits and checks its own.
 */
let synths: Record<'local' | 'localAllowed' | 'localNotAllowed' | 'unfilled' | 'filled', Promise<Synthesis>>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deploy-guards-'));
  copy = join(dir, 'my-shop.json');
  copyFileSync(join(REPO_ROOT, EXAMPLE_CONFIG_FILE), copy);
  unfilled = join(dir, 'unfilled.json');
  copyFileSync(join(REPO_ROOT, PRODUCTION_EXAMPLE_CONFIG_FILE), unfilled);
  const raw = JSON.parse(readFileSync(join(REPO_ROOT, PRODUCTION_EXAMPLE_CONFIG_FILE), 'utf8')) as Record<string, any>;
  for (const [path, value] of Object.entries(FILLED)) setPath(raw, path, value);
  // The fresh clone's my-shop.json, in a directory of its own beside the copy of the local example.
  mkdirSync(join(dir, 'clone'));
  filled = writeConfig(join('clone', 'my-shop.json'), raw);
  synths = {
    local: synth(copy),
    localAllowed: synth(copy, { allowSandbox: 'true' }),
    localNotAllowed: synth(copy, { allowSandbox: 'false' }),
    unfilled: synth(unfilled, { allowSandbox: 'true' }),
    filled: synth(filled, {}, { bundle: true }),
  };
  // Each test awaits its own; one failing before its test is reached is reported there, not as unhandled.
  for (const started of Object.values(synths)) started.catch(() => undefined);
});

describe('a copy of the local example', () => {
  it('is refused, naming each sandbox endpoint and demo id and saying how to proceed', async () => {
    const { status, stderr } = await synths.local;
    expect(status).toBe(1);
    expect(stderr).toContain(`Refusing to deploy ${copy}`);
    for (const field of [
      'vendors.kelkoo.endpoint',
      'vendors.klevu.endpoint',
      'vendors.qualityclick.endpoint',
      'vendors.clickmeter.endpoint',
      'vendors.raptor.endpoint',
      'postbacks.awin.url',
      'postbacks.awin.cancel.url',
      'vendors.kelkoo.accounts.fr.comId',
      'vendors.klevu.apiKey',
      'vendors.clickmeter.conversionId',
      'vendors.raptor.customerId',
    ]) {
      expect(stderr).toMatch(new RegExp(`^ {2}${field.replaceAll('.', '\\.')}: `, 'm'));
    }
    expect(stderr).toContain('  vendors.kelkoo.endpoint: http://localhost:3000/sandbox/kelkoo/st is on localhost, a /sandbox/ path, plain http://');
    expect(stderr).toContain(`Start from ${PRODUCTION_EXAMPLE_CONFIG_FILE}`);
    expect(stderr).toContain('-c allowSandbox=true');
  });

  it('goes through with -c allowSandbox=true, for a test deployment, with a warning naming the fields', async () => {
    const { status, stderr, outDir } = await synths.localAllowed;
    expect({ status, stderr: stderr.includes('Refusing') }).toEqual({ status: 0, stderr: false });
    const sandbox = warnings(outDir).filter((w) => w.startsWith('allowSandbox=true'));
    expect(sandbox).toEqual([expect.stringContaining('deploying 14 sandbox endpoints or demo values (vendors.kelkoo.endpoint, vendors.klevu.endpoint')]);
    expect(sandbox[0]).toContain('A test deployment only');
  }, 300_000);

  it('is refused as well when -c allowSandbox is anything but true', async () => {
    expect((await synths.localNotAllowed).status).toBe(1);
  });
});

describe('the production example', () => {
  it('is refused until every placeholder is replaced, each named by its path', async () => {
    const { status, stderr } = await synths.unfilled;
    expect(status).toBe(1);
    expect(stderr).toContain(`Refusing to deploy ${unfilled}: 9 placeholders are still to be filled in:`);
    expect(stderr).toContain('  vendors.kelkoo.comId: still the placeholder "<replace: your Kelkoo comId for that country, digits>"');
    expect(stderr).toContain('  vendors.qualityclick.endpoint: still the placeholder "https://<replace: your partner programme\'s domain>/get_trans.cgi"');
    expect(stderr).toContain('  alerts.emails.0: still the placeholder');
    expect(stderr).toContain('Replace each with your own value (README, "Deploy")');
    // The placeholder says more than the schema would ("must be a number"): it is reported instead.
    expect(stderr).not.toContain('Invalid configuration');
  });

  it('has no endpoint but the one QUALITYCLICK requires, and the default delivery settings', () => {
    const raw = JSON.parse(readFileSync(join(REPO_ROOT, PRODUCTION_EXAMPLE_CONFIG_FILE), 'utf8')) as Record<string, any>;
    const endpoints = Object.entries<Record<string, unknown>>(raw.vendors).filter(([, v]) => 'endpoint' in v).map(([id]) => id);
    expect(endpoints).toEqual(['qualityclick']);
    expect(raw.postbacks ?? {}).toEqual({});
    const defaults = parseConfig({ vendors: {} }).delivery as Record<string, unknown>;
    for (const [key, value] of Object.entries<unknown>(raw.delivery)) expect({ key, value }).toEqual({ key, value: defaults[key] });
    expect(raw.alerts.emails).toHaveLength(1);
  });
});

/** What the README's placeholder table lists: the first column of each row under "| placeholder |". */
function readmePlaceholders(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| placeholder | what to put there |'));
  const rows = table.split('\n').slice(2);
  return rows.slice(0, rows.findIndex((row) => !row.startsWith('|'))).map((row) => /^\| `([^`]+)` \|/.exec(row)![1]!);
}

/** Values as a merchant fills them in, by the README's table: its own ids, its own partner domain and address. */
const FILLED: Record<string, unknown> = {
  'vendors.kelkoo.comId': '31415926',
  'vendors.kelkoo.referer': 'https://www.shop-brand.fr',
  'vendors.klevu.apiKey': 'klevu-16180339887',
  'vendors.qualityclick.endpoint': 'https://partner.shop-brand.fr/get_trans.cgi',
  'vendors.qualityclick.cpid': '7',
  'vendors.qualityclick.product': 'Sale',
  'vendors.clickmeter.conversionId': 'B8E2A0C4D6F84E1A9C3B5D7F9E1A3C5B',
  'vendors.raptor.customerId': '5678',
  'alerts.emails.0': 'oncall@shop-brand.fr',
};

function setPath(raw: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = raw;
  for (const key of keys) node = node[key];
  node[last] = value;
}

/** Every file under `root`. */
function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("a fresh clone following the README's deploy steps, cdk synth in place of deploy", () => {
  it("starts the README's deploy steps from the production example, with cdk diff before every deploy", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const deploy = readme.slice(readme.indexOf('\n## Deploy\n'), readme.indexOf('\n## Configuration\n'));
    const commands = [...deploy.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((m) => m[1]!.split('\n'))
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean);
    expect(commands[0]).toBe(`cp ${PRODUCTION_EXAMPLE_CONFIG_FILE} my-shop.json`);
    const at = (prefix: string) => commands.findIndex((c) => c.startsWith(prefix));
    expect(at('npx cdk synth -c config=my-shop.json')).toBeGreaterThan(0);
    expect(at('npx cdk diff -c config=my-shop.json')).toBeGreaterThan(at('npx cdk synth'));
    expect(at('npx cdk deploy -c config=my-shop.json')).toBeGreaterThan(at('npx cdk diff'));
    expect(deploy).not.toContain(`cp ${EXAMPLE_CONFIG_FILE}`);
    // The prerequisites: the AWS CLI, a supported Node.js, and what npm run report --deployed calls.
    expect(deploy).toMatch(/The AWS CLI/);
    expect(deploy).toMatch(/Node\.js 22 or later/);
    expect(deploy).toMatch(/`cloudwatch:GetMetricData` \(`report --deployed`/);
  });

  it('lists every placeholder of the production example in the README', () => {
    const raw = JSON.parse(readFileSync(join(REPO_ROOT, PRODUCTION_EXAMPLE_CONFIG_FILE), 'utf8')) as unknown;
    expect(readmePlaceholders()).toEqual(placeholderIssues(raw).map((issue) => issue.field));
    expect(Object.keys(FILLED)).toEqual(readmePlaceholders());
  });

  it('synthesises, bundles included, an assembly that calls no loopback or sandbox endpoint, only the vendors\' own', async () => {
    const { status, stderr, outDir } = await synths.filled;
    expect({ status, stderr: stderr.split('\n').filter((l) => /Refusing|Error/.test(l)) }).toEqual({ status: 0, stderr: [] });

    // What the deployed stack holds: its template and every function's runtime configuration (the bundles' code is
    // the project's own and mentions the local stack in comments and defaults; it is not what a sender calls).
    const files = filesUnder(outDir).filter((f) => f.endsWith('.template.json') || f.endsWith('runtime-config.json'));
    expect(files.filter((f) => f.endsWith('runtime-config.json')).length).toBeGreaterThan(0);
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(text).not.toMatch(/localhost|127\.0\.0\.1|\[::1\]|\/sandbox\//i);
    const urls = [...text.matchAll(/https?:\/\/[^\s"'\\]+/g)].map((m) => m[0]);
    expect(urls.filter((url) => url.startsWith('http://'))).toEqual(urls.filter((url) => url === 'http://conversions.clickmeter.com/s2s'));
    const hosts = new Set(
      files
        .filter((f) => f.endsWith('runtime-config.json'))
        .flatMap((f) => {
          const config = JSON.parse(readFileSync(f, 'utf8')) as { vendors?: Record<string, { endpoint?: string }> };
          return Object.values(config.vendors ?? {}).map((v) => new URL(v.endpoint!).host);
        }),
    );
    expect([...hosts].sort()).toEqual(['conversions.clickmeter.com', 'partner.shop-brand.fr', 's.kelkoogroup.net', 'stats.ksearchnet.com', 't.raptorsmartadvisor.com']);
  }, 300_000);
});
