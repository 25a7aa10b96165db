import * as z from 'zod';
import { lazy } from '../../core/lazy';
import { KLEVU_PUBLIC_ENDPOINT } from './types';

export const klevuConfigSchema = /* @__PURE__ */ lazy(() => {
  return z.strictObject({
    /**
     * The shop's Klevu JS API key (`klevu-…`), sent as `event_apikey`. It is the same key the storefront's
     * JavaScript exposes to every visitor, so it is configuration, not a secret.
     */
    apiKey: z.string().trim().min(1, 'must be a non-empty Klevu JS API key'),
    endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(KLEVU_PUBLIC_ENDPOINT),
    /** The shopper's e-mail is personal data: Klevu receives it only when the merchant opts in. */
    sendEmail: z.boolean().default(false),
    /** How long a captured Klevu uuid stays attached to the visitor's orders. */
    attributionDays: z.number().int().min(1).max(365).default(30),
  });
});

export type KlevuConfig = z.infer<ReturnType<typeof klevuConfigSchema>>;
