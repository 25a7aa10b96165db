/**
 * `zod/mini`, loaded when a schema is first built rather than when a module is: the modules a capture or an identify
 * passes through (their routes, api/schemas.ts, core/visitor.ts, core/validation.ts) build their schemas on first use,
 * and their common bodies are checked without any (commonCapture, commonIdentify), so those functions load zod only
 * for a body the hand-written checks pass on to a schema – and pay nothing for it at each cold start
 * (docs/PERFORMANCE.md, "Bundles and module init"). What it loads is core/zod-api.ts: the checks these schemas use, with
 * the English messages of zod's own issues configured before any schema can parse.
 */
type ZodApi = typeof import('./zod-api');

let loaded: ZodApi | undefined;

export function zod(): ZodApi {
  // Required here, not imported: esbuild then evaluates zod's modules only when this first runs.
  loaded ??= require('./zod-api') as ZodApi;
  return loaded;
}
