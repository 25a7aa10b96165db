import * as z from 'zod/mini';
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
  const endpointSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).check(
    z.superRefine((value, ctx) => {
      const url = new URL(value);
      // A fragment would swallow the query string the sender appends.
      if (url.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a #fragment' });
      const clashing = RESERVED_IN_ENDPOINT.filter((name) => url.searchParams.has(name));
      if (clashing.length) {
        ctx.addIssue({ code: 'custom', message: `must not set ${clashing.join(', ')} itself: the service sends cpid, tid, clickid, produkt, umsatz and nocheck, and never pid, subid or wmid` });
      }
    }),
  );

  return z.strictObject({
    endpoint: endpointSchema,
    /** Program id ("cpid => 1 // Program ID"); JSON numbers are accepted and kept as their digits. */
    cpid: z.pipe(z.pipe(z.union([z.string(), z.number().check(z.int())]), z.transform(String)), z.string().check(z.regex(/^\d{1,18}$/, 'must be a program id (digits only)'))),
    /**
     * Commission product, "exact spelling" – sent as written, never trimmed or re-cased. Surrounding whitespace is
     * rejected rather than stripped: it is a typo that would make QUALITYCLICK discard every transaction.
     */
    product: z.string().check(
      z.minLength(1, 'must name the commission product, e.g. "Sale"'),
      z.refine((p) => p.trim() === p, { error: 'must not start or end with whitespace (exact spelling is required)' }),
      // eslint-disable-next-line no-control-regex
      z.refine((p) => !/[\u0000-\u001f\u007f]/.test(p), { error: 'must not contain control characters' }),
    ),
    /**
     * Landing-page query parameter carrying the ClickID. "qc_clickid is a recommendation — you can choose any
     * parameter name". Unreserved URL characters only, so the name reads the same encoded or not.
     */
    clickIdParam: z._default(
      z.string().check(z.regex(/^[A-Za-z0-9_.~-]{1,64}$/, 'must be a query parameter name of 1-64 letters, digits, "_", ".", "~" or "-"')),
      DEFAULT_CLICK_ID_PARAM,
    ),
    /** Sends `nocheck=1`: create the transaction even when the partner is not approved for the product (cross-selling). */
    nocheck: z._default(z.boolean(), false),
    attributionDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(365)), 30),
  });
});

export type QualityclickConfig = z.infer<ReturnType<typeof qualityclickConfigSchema>>;
