import * as z from 'zod';
import { lazy } from '../../core/lazy';
import { DEFAULT_CLICK_ID_PARAM, QUALITYCLICK_FORBIDDEN, QUALITYCLICK_QUERY_ORDER } from './types';

/**
 * Parameters an endpoint must not carry itself: the ones the service sets, and the ones that would override the ClickID.
 * A pure call rather than a spread, which esbuild would keep in every bundle that reaches this module.
 */
const RESERVED_IN_ENDPOINT: readonly string[] = /* @__PURE__ */ ([] as string[]).concat(QUALITYCLICK_QUERY_ORDER, QUALITYCLICK_FORBIDDEN);

export const qualityclickConfigSchema = /* @__PURE__ */ lazy(() => {
  /**
   * The merchant's own tracking script. QUALITYCLICK runs on a domain of each merchant's partner programme
   * (`https://partner.your-site.com/get_trans.cgi` in the document), so there is no public default to fall back to.
   */
  const endpointSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).superRefine((value, ctx) => {
    const url = new URL(value);
    // A fragment would swallow the query string the sender appends.
    if (url.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a #fragment' });
    const clashing = RESERVED_IN_ENDPOINT.filter((name) => url.searchParams.has(name));
    if (clashing.length) {
      ctx.addIssue({ code: 'custom', message: `must not set ${clashing.join(', ')} itself: the service sends cpid, tid, clickid, produkt, umsatz and nocheck, and never pid, subid or wmid` });
    }
  });

  return z.strictObject({
    endpoint: endpointSchema,
    /** Program id ("cpid => 1 // Program ID"); JSON numbers are accepted and kept as their digits. */
    cpid: z.union([z.string(), z.number().int()]).transform(String).pipe(z.string().regex(/^\d{1,18}$/, 'must be a program id (digits only)')),
    /**
     * Commission product, "exact spelling" – sent as written, never trimmed or re-cased. Surrounding whitespace is
     * rejected rather than stripped: it is a typo that would make QUALITYCLICK discard every transaction.
     */
    product: z
      .string()
      .min(1, 'must name the commission product, e.g. "Sale"')
      .refine((p) => p.trim() === p, { error: 'must not start or end with whitespace (exact spelling is required)' })
      // eslint-disable-next-line no-control-regex
      .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), { error: 'must not contain control characters' }),
    /**
     * Landing-page query parameter carrying the ClickID. "qc_clickid is a recommendation — you can choose any
     * parameter name". Unreserved URL characters only, so the name reads the same encoded or not.
     */
    clickIdParam: z
      .string()
      .regex(/^[A-Za-z0-9_.~-]{1,64}$/, 'must be a query parameter name of 1-64 letters, digits, "_", ".", "~" or "-"')
      .default(DEFAULT_CLICK_ID_PARAM),
    /** Sends `nocheck=1`: create the transaction even when the partner is not approved for the product (cross-selling). */
    nocheck: z.boolean().default(false),
    attributionDays: z.number().int().min(1).max(365).default(30),
  });
});

export type QualityclickConfig = z.infer<ReturnType<typeof qualityclickConfigSchema>>;
