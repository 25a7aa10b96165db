/**
 * `cdk synth` of the real app (bin/app.ts: configuration validation, bundling with esbuild, cdk-nag's AWS Solutions
 * and Serverless packs) into a temporary directory, with the feature flags of cdk.json and the configuration given.
 * Functions bundled alike (every sender) share one esbuild run per test run (test/support/bundle-cache.ts).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleCacheEnv } from '../support/bundle-cache';

const PROJECT_ROOT = join(__dirname, '..', '..');

export async function synthesise(config: unknown, dir: string): Promise<{ outDir: string; seconds: number; stderr: string }> {
  const configPath = join(dir, 'tracking.config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const outDir = join(dir, 'cdk.out');
  const flags = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  const started = Date.now();
  const stderr = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join('bin', 'app.ts')],
      {
        cwd: PROJECT_ROOT,
        env: { ...bundleCacheEnv(), CDK_OUTDIR: outDir, // As the cdk CLI runs the app: with asset metadata, which names each function's bundle directory.
        // allowSandbox: the functions call the recording sandbox on this machine (lib/deploy-guards.ts refuses that otherwise).
        CDK_CONTEXT_JSON: JSON.stringify({ ...flags, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true, config: configPath, allowSandbox: 'true' }) },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 300_000,
      },
      (error, _stdout, stderr) => (error ? reject(new Error(`cdk synth failed: ${error.message}\n${stderr}`)) : resolve(stderr)),
    );
  });
  return { outDir, seconds: (Date.now() - started) / 1000, stderr };
}
