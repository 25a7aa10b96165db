import * as z from 'zod/mini';
import { lazy } from '../../core/lazy';
import { classifyByStatusAndBody } from '../classify';
import type { VendorAdapter } from '../types';
import { klevuClickIds } from './click-ids';
import { KlevuConfig, klevuConfigSchema } from './config';
import { toKlevuPayload } from './mapping';
import { inspectKlevuRequest } from './sandbox';
import { inspectNotBundled } from '../sandbox-inspect';
import { KLEVU_DOCUMENT } from './types';

const contextSchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    /** Klevu's visitor id, when the shop captured one within the attribution window. */
    uuid: z.optional(z.string()),
  }),
);
type KlevuContext = z.infer<ReturnType<typeof contextSchema>>;

/** Storage key of the Klevu uuid the shop passes as `identifiers.klevu.uuid`. */
const UUID_KEY = 'klevu.uuid';

export const klevu: VendorAdapter<KlevuConfig, KlevuContext> = {
  id: 'klevu',
  displayName: 'Klevu',
  documentation: KLEVU_DOCUMENT,
  configSchema: klevuConfigSchema,
  contextSchema,

  clickIds: klevuClickIds,

  // Klevu reports every purchase, not only those after a Klevu click: its only hard requirement server to server is
  // the shopper's IP ("if calling from JavaScript this is an optional parameter" – so from a server it is not).
  plan({ order, click }) {
    if (!order.shopper?.ip?.trim()) {
      return { deliver: false, reason: 'missing shopper IP: Klevu requires user_profile.ip_address for server-to-server calls' };
    }
    const uuid = click(UUID_KEY);
    return { deliver: true, context: uuid ? { uuid } : {} };
  },

  buildRequests({ order, config, context }) {
    const body = JSON.stringify(toKlevuPayload(order, config, context));
    return [{ key: 'order_purchase', method: 'POST', url: config.endpoint, headers: { 'Content-Type': 'application/json' }, body }];
  },

  classify: (response) => classifyByStatusAndBody(response, 'Klevu'),

  inspect: process.env.TRACKING_SANDBOX_BUNDLED === 'false' ? inspectNotBundled : inspectKlevuRequest,
};
