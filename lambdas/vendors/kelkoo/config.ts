import * as z from 'zod';
import { lazy } from '../../core/lazy';
import { KELKOO_PUBLIC_ENDPOINT } from './types';

export const kelkooConfigSchema = lazy(() => {
  return z.strictObject({
    /** Country the shop is listed in on Kelkoo (2 letters); an order's own `country` takes precedence. */
    country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code').transform((c) => c.toLowerCase()),
    /** The shop's id in Kelkoo Group ("Long" in the document). */
    comId: z.union([z.string(), z.number().int()]).transform(String).pipe(z.string().regex(/^\d{1,19}$/, 'must be a number')),
    /** Sent as the Referer header, as the document recommends, so Kelkoo sees the shop's domain. */
    referer: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    attributionDays: z.number().int().min(1).max(365).default(30),
    endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(KELKOO_PUBLIC_ENDPOINT),
  });
});

export type KelkooConfig = z.infer<ReturnType<typeof kelkooConfigSchema>>;
