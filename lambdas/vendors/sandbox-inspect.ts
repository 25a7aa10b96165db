import type { ReceivedRequest } from './types';

/**
 * `inspect` of an adapter in a deployed bundle. Only the local vendor sandbox (local/sandbox.ts) inspects requests, so
 * the functions are bundled with `process.env.TRACKING_SANDBOX_BUNDLED` defined as `"false"` (TRACKING_BUNDLING), and
 * each adapter picks this in place of its sandbox checks:
 *
 *   inspect: process.env.TRACKING_SANDBOX_BUNDLED === 'false' ? inspectNotBundled : inspectKelkooRequest,
 *
 * esbuild reads the condition as true while it parses, so the sandbox module is referenced from dead code only and
 * left out of the bundle: less code for every cold start to compile. The condition must stay written out in each
 * adapter – passed through a function, the reference would keep the sandbox code in.
 */
export function inspectNotBundled(_request: ReceivedRequest): string[] {
  return ['the vendor sandbox checks are not bundled into a deployed function'];
}
