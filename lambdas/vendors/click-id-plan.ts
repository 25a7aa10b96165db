/**
 * The planning step shared by the destinations that attribute on one landing-page click id (QUALITYCLICK, ClickMeter,
 * generic postbacks): deliver with the id live for this visitor, fixed at conversion time so that every retry resends
 * it, or skip naming the parameter that had none.
 */
import * as z from 'zod/mini';
import { lazy } from '../core/lazy';
import type { DeliveryPlan, PlanInput } from './types';

/** The context such a destination's message carries: the click id held for the visitor at conversion time. */
export const clickIdContextSchema = /* @__PURE__ */ lazy(() => z.strictObject({ clickId: z.string().check(z.minLength(1)) }));
export type ClickIdContext = z.infer<ReturnType<typeof clickIdContextSchema>>;

/**
 * The plan on the click id of `param`: deliver with it, or skip with `no live <param> click identifier<what> for this
 * visitor`, `what` saying what the vendor calls it (e.g. ` (ClickMeter [s2sidentifier])`).
 */
export function planOnClickId(click: PlanInput<unknown>['click'], param: string, what = ''): DeliveryPlan<ClickIdContext> {
  const clickId = click(param);
  if (!clickId) return { deliver: false, reason: `no live ${param} click identifier${what} for this visitor` };
  return { deliver: true, context: { clickId } };
}
