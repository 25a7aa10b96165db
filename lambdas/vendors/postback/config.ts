import * as z from 'zod/mini';
import { lazy } from '../../core/lazy';
import { templateMacros, templateString } from '../template';

const MACRO = /\{[A-Za-z]+(?:\.[A-Za-z]+)?\}/g;

export const postbackConfigSchema = /* @__PURE__ */ lazy(() => {
  /** A URL template: macros are replaced by URL-encoded values, so it must be an http(s) URL once they are. */
  const urlTemplate = templateString({ clickId: true, item: true, channel: true }).check(
    z.superRefine((template, ctx) => {
      try {
        if (!/^https?:$/.test(new URL(template.replace(MACRO, 'x')).protocol)) ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL once its macros are filled' });
      }
    }),
  );

  return z
    .strictObject({
      /** Landing-page query parameter carrying the network's click id (e.g. Awin's `awc`). */
      clickIdParam: z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'must be a query parameter name')),
      attributionDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(365)), 30),
      /**
       * The network's own limit, when its documentation states one: how many days after an order it still accepts a
       * postback for it. `npm run replay` refuses an older order instead of sending a call the network would reject.
       */
      reportWithinDays: z.optional(z.number().check(z.int(), z.gte(1), z.lte(3650))),
      /** The network's postback URL with macros in its slots: `…?ref={order.orderId}&cks={clickId}&amount={order.netValue}`. */
      url: urlTemplate,
      method: z._default(z.enum(['GET', 'POST']), 'GET'),
      /** For POST: a body template. */
      body: z.optional(templateString({ clickId: true, item: true, channel: true, literalBraces: true })),
      /** `form`: macros filled URL-encoded, sent as application/x-www-form-urlencoded; `json`: filled JSON-escaped. */
      bodyEncoding: z._default(z.enum(['form', 'json']), 'form'),
      /** Static headers, e.g. a token the network issues. */
      headers: z._default(z.record(z.string().check(z.regex(/^[A-Za-z0-9-]+$/, 'must be a header name')), z.string().check(z.maxLength(1024))), {}),
      /** One call per order line instead of one per order; allows `{item.*}` macros. */
      perItem: z._default(z.boolean(), false),
      /**
       * The network's cancellation call, made for a sale it was told of once the shop cancels the order
       * (POST /v1/conversions/{orderId}/cancellation). The same macros; the headers of the sale call.
       */
      cancel: z.optional(
        z
          .strictObject({
            url: urlTemplate,
            method: z._default(z.enum(['GET', 'POST']), 'GET'),
            body: z.optional(templateString({ clickId: true, item: true, channel: true, literalBraces: true })),
            bodyEncoding: z._default(z.enum(['form', 'json']), 'form'),
            perItem: z._default(z.boolean(), false),
          })
          .check(z.superRefine((cancel, ctx) => checkTemplates(cancel, ctx))),
      ),
    })
    .check(
      z.superRefine((config, ctx) => {
        checkTemplates(config, ctx);
      }),
    );
});

interface Templates {
  url: string;
  method: 'GET' | 'POST';
  body?: string | undefined;
  bodyEncoding: 'form' | 'json';
  perItem: boolean;
}

/** Rules between the fields of a request template (the sale call's, or its `cancel`). */
function checkTemplates(config: Templates, ctx: z.core.$RefinementCtx<Templates>): void {
  if (config.body !== undefined && config.method !== 'POST') ctx.addIssue({ code: 'custom', path: ['body'], message: 'a body needs "method": "POST"' });
  for (const field of ['url', 'body'] as const) {
    const template = config[field];
    if (template && !config.perItem && templateMacros(template).some((m) => m.startsWith('item.'))) {
      ctx.addIssue({ code: 'custom', path: [field], message: '{item.*} macros need "perItem": true' });
    }
  }
  if (config.bodyEncoding === 'json' && config.body !== undefined) {
    try {
      JSON.parse(config.body.replace(MACRO, 'x'));
    } catch {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'with bodyEncoding "json" the body must be JSON, macros inside strings' });
    }
  }
}

export type PostbackConfig = z.infer<ReturnType<typeof postbackConfigSchema>>;
