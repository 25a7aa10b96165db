import type { VendorAdapter } from '../types';
import { contextSchema, postback, PostbackContext } from './adapter';
import type { PostbackConfig } from './config';
import { postbackRequests } from './mapping';

/**
 * A postback's cancellation call (`postbacks.<name>.cancel`), a destination of its own (`<name>-cancel`: queue, DLQ,
 * sender, alarm). Its messages are put on its queue by the cancellation route, never by a conversion, and carry the
 * order, click id and channel the sale call was made with (kept on the sale's delivery record when it was sent).
 */
export const postbackCancel: VendorAdapter<PostbackConfig, PostbackContext> = /* @__PURE__ */ cancellationAdapter();

/**
 * Built by a call marked pure: an object spread at the top level is kept by esbuild, and the adapter with it, in every
 * bundle that reaches this module, used or not.
 */
function cancellationAdapter(): VendorAdapter<PostbackConfig, PostbackContext> {
  return {
    ...postback,
    id: 'postback-cancel',
    displayName: 'Generic postback (cancellation)',
    contextSchema,
    clickIds: () => [],
    capabilities: { cancellationOnly: true },
    plan: () => ({ deliver: false, reason: 'cancellation calls are queued by the cancellation route only' }),
    buildRequests({ order, config, context, channel }) {
      if (!config.cancel) throw new Error('postback without a cancel template has no cancellation call');
      return postbackRequests(order, { ...config.cancel, headers: config.headers }, context.clickId, channel);
    },
  };
}
