import * as z from 'zod/mini';
import { lazy } from '../../core/lazy';
import { templateString } from '../template';
import { PURCHASE_PARAM_NAME, RAPTOR_PUBLIC_ENDPOINT } from './types';

export const raptorConfigSchema = /* @__PURE__ */ lazy(() => {
  const httpUrl = z.pipe(
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      // The adapter appends `/{customerId}.rsa` and the query itself; a query or fragment here would end up in the path.
      .check(z.refine((url) => !/[?#]/.test(url), 'must not contain a query string or fragment')),
    z.transform((url: string) => url.replace(/\/+$/, '')),
  );

  /**
   * The p-parameters sent with every purchase: names `p1` … `p999`, values templates filled per order line
   * (`{order.*}` and `{item.*}` macros). Which position means what is set per customer in Raptor's control panel,
   * so the merchant copies that list here; p1 is the event type in every example the document gives.
   */
  const purchaseParamsSchema = z.record(z.string(), templateString({ item: true })).check(
    z.superRefine((params, ctx) => {
      const names = Object.keys(params);
      if (names.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'at least one parameter is required (p1, the event type, e.g. "buy")' });
        return;
      }
      for (const name of names) {
        if (!PURCHASE_PARAM_NAME.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'parameter name must be one of p1 … p999' });
        }
      }
      // The sandbox and the document's examples treat p1 as the event type Raptor dispatches on; a call without it
      // cannot be counted as a purchase.
      if (!('p1' in params)) ctx.addIssue({ code: 'custom', message: 'p1 (the event type, e.g. "buy") is required' });
    }),
  );

  return z.strictObject({
    /** The shop's Raptor customer id: the `[customerid]` path segment of `/[customerid].rsa`. */
    customerId: z.pipe(
      z.pipe(z.union([z.string(), z.number().check(z.int(), z.nonnegative())]), z.transform(String)),
      z.string().check(z.regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "-" or "_" (it is a URL path segment)')),
    ),
    endpoint: z._default(httpUrl, RAPTOR_PUBLIC_ENDPOINT),
    purchaseParams: purchaseParamsSchema,
  });
});

export type RaptorConfig = z.infer<ReturnType<typeof raptorConfigSchema>>;
