/**
 * A value built on first use and kept. For schemas a function may never need: a Lambda function that never
 * validates a vendor's configuration (every API function: the stack validated it at synthesis) never builds it,
 * which keeps its cold start short (docs/PERFORMANCE.md, "Bundles and module init").
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
