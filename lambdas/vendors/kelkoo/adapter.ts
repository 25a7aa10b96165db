import * as z from 'zod/mini';
import { lazy } from '../../core/lazy';
import { formatMoney } from '../../core/money';
import { buildUrl, classifyByStatus } from '../classify';
import type { VendorAdapter } from '../types';
import { kelkooClickIds } from './click-ids';
import { KelkooConfig, kelkooAccountFor, kelkooConfigSchema } from './config';
import { decodeProductsInfos, encodeProductsInfos, fitProductsInfos, kelkooSaleId } from './mapping';
import { inspectKelkooRequest } from './sandbox';
import { inspectNotBundled } from '../sandbox-inspect';
import { KELKOO_DOCUMENT } from './types';

const contextSchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    /** "A randomly generated number between 0 and 1", seeded by the account's comId and the order id (kelkooSaleId). */
    saleId: z.string(),
    kelkooId: z.optional(z.string()),
    gclid: z.optional(z.string()),
    msclkid: z.optional(z.string()),
  }),
);
type KelkooContext = z.infer<ReturnType<typeof contextSchema>>;

export const kelkoo: VendorAdapter<KelkooConfig, KelkooContext> = {
  id: 'kelkoo',
  displayName: 'Kelkoo Group',
  documentation: KELKOO_DOCUMENT,
  configSchema: kelkooConfigSchema,
  contextSchema,

  clickIds: kelkooClickIds,

  plan({ order, config, click }) {
    const kelkooId = click('kk');
    const gclid = click('gclid');
    const msclkid = click('msclkid');
    if (!kelkooId && !gclid && !msclkid) {
      return { deliver: false, reason: 'no live kk, gclid or msclkid click identifier for this visitor' };
    }
    const { country, account } = kelkooAccountFor(order, config);
    if (!account) {
      return { deliver: false, reason: `no Kelkoo account for country "${country}" (configured: ${Object.keys(config.accounts).join(', ')})` };
    }
    return {
      deliver: true,
      context: {
        // Fixed here and carried in the message: a sale queued before the accounts change still resends its value.
        saleId: kelkooSaleId(account.comId, order.orderId),
        ...(kelkooId ? { kelkooId } : {}),
        ...(gclid ? { gclid } : {}),
        ...(msclkid ? { msclkid } : {}),
      },
    };
  },

  buildRequests({ order, config, context }) {
    const { country, account } = kelkooAccountFor(order, config);
    // plan() skipped such an order; reaching here means the accounts changed after the message was queued.
    if (!account) throw new Error(`No Kelkoo account for country ${country} in the configuration`);
    const url = buildUrl(config.endpoint, [
      ['country', country],
      ['orderId', order.orderId],
      ['comId', account.comId],
      ['orderValue', formatMoney(order.orderValue, order.currency)],
      ['productsInfos', encodeProductsInfos(order)],
      ['saleId', context.saleId],
      ['kelkooId', context.kelkooId],
      ['gclid', context.gclid],
      ['msclkid', context.msclkid],
      ['returningUser', order.returningUser],
      ['source', 'serverToServer'],
    ]);
    return [{ key: 'sale', method: 'GET', url: fitProductsInfos(url, order), headers: { Referer: account.referer } }];
  },

  // The document describes no response body; any 2xx is taken as accepted.
  classify: (response) => classifyByStatus(response),

  inspect: process.env.TRACKING_SANDBOX_BUNDLED === 'false' ? inspectNotBundled : inspectKelkooRequest,

  capabilities: {
    // `gclid` and `msclkid` are forwarded because the document asks for them, but they are the merchant's own ads
    // clicks: in an exclusive group Kelkoo wins through `kk` alone (unless the group's winningParams widens that).
    ownClickIds: () => ['kk'],
    // The console shows the order lines `productsInfos` carries.
    decodeQuery(param) {
      const productsInfos = param('productsInfos');
      if (productsInfos === undefined) return {};
      try {
        const lines = decodeProductsInfos(productsInfos);
        return { productsInfos: Array.isArray(lines) ? { lines } : { error: 'productsInfos is not a JSON array' } };
      } catch {
        return { productsInfos: { error: 'productsInfos is not Base64 of JSON' } };
      }
    },
  },
};
