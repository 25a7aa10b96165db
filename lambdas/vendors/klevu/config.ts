import * as z from 'zod/mini';
import { lazy } from '../../core/lazy';
import { KLEVU_PUBLIC_ENDPOINT } from './types';

export const klevuConfigSchema = /* @__PURE__ */ lazy(() => {
  return z.strictObject({
    /**
     * The shop's Klevu JS API key (`klevu-…`), sent as `event_apikey`. It is the same key the storefront's
     * JavaScript exposes to every visitor, so it is configuration, not a secret.
     */
    apiKey: z.string().check(z.trim(), z.minLength(1, 'must be a non-empty Klevu JS API key')),
    endpoint: z._default(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }), KLEVU_PUBLIC_ENDPOINT),
    /** The shopper's e-mail is personal data: Klevu receives it only when the merchant opts in. */
    sendEmail: z._default(z.boolean(), false),
    /** How long a captured Klevu uuid stays attached to the visitor's orders. */
    attributionDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(365)), 30),
  });
});

export type KlevuConfig = z.infer<ReturnType<typeof klevuConfigSchema>>;
