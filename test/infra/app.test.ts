/**
 * The CDK app's choice of configuration file, and its refusal of an invalid one before any construct exists.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseConfig, EXAMPLE_CONFIG_FILE, LOCAL_CONFIG_FILE } from '../../lambdas/config/load';

const PROJECT_ROOT = join(__dirname, '..', '..');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracking-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('chooseConfig', () => {
  it('prefers -c config=<path>, resolved against the working directory', () => {
    expect(chooseConfig({ explicit: 'mine.json', env: { TRACKING_CONFIG: '/env.json' }, root: dir, cwd: '/srv/shop' })).toEqual({
      path: '/srv/shop/mine.json',
      source: 'option',
      isExample: false,
    });
  });

  it('then TRACKING_CONFIG', () => {
    expect(chooseConfig({ env: { TRACKING_CONFIG: 'env.json' }, root: dir, cwd: '/srv/shop' })).toEqual({
      path: '/srv/shop/env.json',
      source: 'TRACKING_CONFIG',
      isExample: false,
    });
  });

  it('then tracking.config.json at the repository root when present', () => {
    writeFileSync(join(dir, LOCAL_CONFIG_FILE), '{}');
    expect(chooseConfig({ env: {}, root: dir, cwd: '/srv/shop' })).toEqual({ path: join(dir, LOCAL_CONFIG_FILE), source: 'tracking.config.json', isExample: false });
  });

  it('and finally the shipped example', () => {
    expect(chooseConfig({ env: {}, root: dir, cwd: '/srv/shop' })).toEqual({ path: join(dir, EXAMPLE_CONFIG_FILE), source: 'example', isExample: true });
  });

  it('ignores an empty or non-string explicit value', () => {
    for (const explicit of ['', 42, true]) expect(chooseConfig({ explicit, env: {}, root: dir, cwd: '/srv/shop' }).source).toBe('example');
  });
});

describe('bin/app.ts', () => {
  it('stops with the name of the bad field when the configuration is invalid', () => {
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ vendors: { kelkoo: { country: 'fr', comId: 'not-a-number', referer: 'https://shop.example' } } }));
    const result = spawnSync(process.execPath, ['--import', 'tsx', join('bin', 'app.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_OUTDIR: join(dir, 'cdk.out'), CDK_CONTEXT_JSON: JSON.stringify({ config }) },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('vendors.kelkoo.comId');
    expect(result.stderr).toContain(config);
  });

  it('writes a warning naming the alerts key into the assembly, which cdk synth prints, when nobody would hear of an alarm', async () => {
    const warningsOf = async (raw: unknown): Promise<string[]> => {
      const config = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(config, JSON.stringify(raw));
      const outDir = join(dir, `cdk.out-${Math.random().toString(36).slice(2)}`);
      const status = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join('bin', 'app.ts')], {
          cwd: PROJECT_ROOT,
          // Bundling skipped: the warning is the construct's, not the bundles'.
          env: { ...process.env, CDK_OUTDIR: outDir, CDK_CONTEXT_JSON: JSON.stringify({ config, 'aws:cdk:bundling-stacks': [] }) },
          stdio: 'ignore',
          timeout: 60_000,
        });
        child.on('error', reject);
        child.on('close', resolve);
      });
      expect(status).toBe(0);
      type Metadata = Record<string, Array<{ type: string; data: unknown }>>;
      const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as {
        artifacts: Record<string, { metadata?: Metadata; additionalMetadataFile?: string }>;
      };
      // The stack's metadata – warnings included – is in the manifest or in the file it names.
      return Object.values(manifest.artifacts)
        .flatMap((artifact) => [
          ...Object.values(artifact.metadata ?? {}).flat(),
          ...(artifact.additionalMetadataFile
            ? Object.values(JSON.parse(readFileSync(join(outDir, artifact.additionalMetadataFile), 'utf8')) as Metadata).flat()
            : []),
        ])
        .filter((entry) => entry.type === 'aws:cdk:warning')
        .map((entry) => String(entry.data));
    };
    // Two synths, each a process of its own: together on two cores.
    const [withoutAlerts, withAlerts] = await Promise.all([warningsOf({ vendors: {} }), warningsOf({ vendors: {}, alerts: { emails: ['ops@shop-brand.fr'] } })]);
    const nobody = withoutAlerts.filter((w) => w.includes('Nobody is notified of the alarms'));
    expect(nobody).toEqual([expect.stringContaining('set alerts (emails, slack or topicArns) or alarmEmail in the configuration')]);
    expect(withAlerts.filter((w) => w.includes('Nobody is notified'))).toEqual([]);
  });
});
