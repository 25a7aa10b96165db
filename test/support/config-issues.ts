import type * as z from 'zod/mini';
import { toFieldIssues } from '../../lambdas/core/validation';

/**
 * A schema's verdict on `base` merged with `raw`: every issue as `field: message`, as a configuration error reports
 * it, or `[]` when the configuration is valid. The schema factory is called each time, so that mutation testing
 * judges it within the test that asks.
 */
export function configIssues(schema: () => z.ZodMiniType, base: Record<string, unknown> = {}) {
  return (raw: Record<string, unknown>): string[] => {
    const result = schema().safeParse({ ...base, ...raw });
    return result.success ? [] : toFieldIssues(result.error).map((i) => `${i.field}: ${i.message}`);
  };
}
