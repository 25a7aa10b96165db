/**
 * A value built on first use and kept. For schemas a function may never need: a Lambda function that never
 * validates a vendor's configuration (every API function: the stack validated it at synthesis) never builds it,
 * which keeps its cold start short (docs/PERFORMANCE.md, "Bundles and module init").
 *
 * Each `lazy(...)` at a module's top level is written `/* @__PURE__ *\/ lazy(...)`: calling `lazy` has no effect, and
 * so annotated, esbuild drops the call, and all it would build, from a bundle that never uses the value. Unannotated,
 * it keeps it, and with it the schemas' code and zod (esbuild's `@__NO_SIDE_EFFECTS__` on this function is not
 * honoured across modules that import zod).
 */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
