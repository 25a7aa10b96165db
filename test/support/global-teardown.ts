import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__TRACKING_TEST_SERVICES__ ?? []).map((service) => service.stop()));
  // The run's esbuild outputs (test/support/bundle-cache.ts), when global-setup.ts created their directory.
  if (globalThis.__TRACKING_TEST_BUNDLES__) rmSync(globalThis.__TRACKING_TEST_BUNDLES__, { recursive: true, force: true });
}
