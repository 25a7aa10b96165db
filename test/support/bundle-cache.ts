/**
 * The environment of a test's `cdk synth` with bundling: esbuild's output for an entry, its options and its sources is
 * built once per test run and copied for every other function bundled the same way (test/support/bundle-cache/npx,
 * which CDK runs in place of npx). The store is the directory global-setup.ts creates for the run; without it, as
 * outside jest, the synth bundles every function itself.
 */
import { delimiter, join } from 'node:path';

export const BUNDLE_CACHE_VARIABLE = 'TEST_BUNDLE_CACHE';

export function bundleCacheEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!env[BUNDLE_CACHE_VARIABLE]) return env;
  return { ...env, PATH: [join(__dirname, 'bundle-cache'), env.PATH].filter(Boolean).join(delimiter) };
}
