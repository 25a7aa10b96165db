import * as z from 'zod/mini';
import { lazy } from '../../core/lazy';
import { templateString } from '../template';
import { CLICKMETER_PUBLIC_ENDPOINT, CONVERSION_ID_PATTERN } from './types';

export const clickmeterConfigSchema = /* @__PURE__ */ lazy(() => {
  return z
    .strictObject({
      /** The `id` of ClickMeter's postback URL ("It's important you do NOT modify it!"): kept as written, case included. */
      conversionId: z.string().check(z.regex(CONVERSION_ID_PATTERN, "must be the id from ClickMeter's postback URL, unchanged (letters, digits or -)")),
      /**
       * The landing-page query parameter the tracking link's destination URL carries `[s2sidentifier]` in (`s1` in
       * the document). No dots: stored click ids named `vendor.field` are cookie ids, and a query key of that shape
       * could collide with them.
       */
      clickIdParam: z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'must be a query parameter name (letters, digits, _ or -)')),
      /** `com`: the commission amount owed for each conversion, in the order's currency; 0 when paid by percentage. */
      commission: z._default(z.number().check(z.gte(0)), 0),
      /** `comperc`: the commission as a percentage of `val`; ClickMeter accepts it only when `com` is 0. */
      commissionPercent: z.optional(z.number().check(z.gte(0), z.lte(100))),
      /**
       * `param`: custom data, e.g. `order={order.orderId}`. Only order macros: the postback is one call per order, and
       * the click id is already sent as `clickId`.
       */
      param: z.optional(z.pipe(templateString({}), z.string().check(z.minLength(1, 'must not be empty; leave param out instead')))),
      /**
       * Which amount becomes `val`. The gross `orderValue` by default (SPEC §5: "val = order value"); `netValue` for
       * merchants whose affiliate deals are on revenue excluding VAT and shipping, since `comperc` is applied to `val`.
       */
      value: z._default(z.enum(['orderValue', 'netValue']), 'orderValue'),
      endpoint: z._default(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }), CLICKMETER_PUBLIC_ENDPOINT),
      /** The document states no conversion window; 30 days is the service's usual default. */
      attributionDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(365)), 30),
    })
    .check(
      z.superRefine((config, ctx) => {
        // Rejected at parse time (synth, `npm start`) rather than silently dropping one of the two at send time:
        // either choice would misreport what the merchant owes.
        if (config.commissionPercent !== undefined && config.commission !== 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['commissionPercent'],
            message: 'cannot be set together with a non-zero commission: ClickMeter accepts comperc only when com is 0',
          });
        }
      }),
    );
});

export type ClickmeterConfig = z.infer<ReturnType<typeof clickmeterConfigSchema>>;
