import * as z from 'zod/mini';
import { lazy } from '../../core/lazy';
import { buildUrl, classifyByStatusAndBody } from '../classify';
import type { VendorAdapter } from '../types';
import { raptorClickIds } from './click-ids';
import { RaptorConfig, raptorConfigSchema } from './config';
import { decodeRuid, idParams, purchaseParamValues } from './mapping';
import { inspectRaptorRequest } from './sandbox';
import { inspectNotBundled } from '../sandbox-inspect';
import { RAPTOR_DOCUMENT } from './types';

const contextSchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    /** Device/browser cookie id ("Raptor Cookie"), a GUID. */
    coid: z.string().check(z.minLength(1)),
    /** Session cookie id, a GUID; only live within 20 minutes of its capture. */
    sid: z.string().check(z.minLength(1)),
    /** The raw user id or e-mail address: Base64 is applied when the call is built, so the queue holds one form only. */
    ruid: z.optional(z.string().check(z.minLength(1))),
    reaid: z.optional(z.string().check(z.minLength(1))),
    xuid: z.optional(z.string().check(z.minLength(1))),
  }),
);
export type RaptorContext = z.infer<ReturnType<typeof contextSchema>>;

export const raptor: VendorAdapter<RaptorConfig, RaptorContext> = {
  id: 'raptor',
  displayName: 'Raptor Smart Advisor',
  documentation: RAPTOR_DOCUMENT,
  configSchema: raptorConfigSchema,
  contextSchema,

  clickIds: raptorClickIds,

  plan({ click }) {
    const coid = click('raptor.coid');
    const sid = click('raptor.sid');
    // Both "must be send at every page request"; a call without either is one Raptor cannot attribute.
    const missing = [...(coid ? [] : ['raptor.coid']), ...(sid ? [] : ['raptor.sid'])];
    if (!coid || !sid) {
      return {
        deliver: false,
        reason: `no live ${missing.join(' and ')} for this visitor: Raptor needs the device cookie id (coid) and the session id (sid, live 20 minutes)`,
      };
    }
    const ruid = click('raptor.ruid');
    const reaid = click('reaid');
    const xuid = click('xuid');
    return { deliver: true, context: { coid, sid, ...(ruid ? { ruid } : {}), ...(reaid ? { reaid } : {}), ...(xuid ? { xuid } : {}) } };
  },

  // One tracking call per order line, as the client-side script would send one event per purchased product.
  // The key names the line, so a delivery interrupted after some lines resumes with the rest only.
  buildRequests({ order, config, context }) {
    const base = `${config.endpoint}/${config.customerId}.rsa`;
    const ids = idParams(context);
    return order.items.map((item, index) => {
      const lineNumber = index + 1;
      const url = buildUrl(base, [...purchaseParamValues(config.purchaseParams, order, item, lineNumber), ...ids]);
      return { key: `item-${lineNumber}`, method: 'GET' as const, url, headers: {} };
    });
  },

  /**
   * The document says nothing about the tracking service's answer, so the status decides (2xx sent, 408/425/429/5xx
   * retried, other 4xx failed) – unless a 2xx body itself says the call was rejected, which a retry would not change.
   */
  classify: (response) => classifyByStatusAndBody(response, 'Raptor'),

  inspect: process.env.TRACKING_SANDBOX_BUNDLED === 'false' ? inspectNotBundled : inspectRaptorRequest,

  capabilities: {
    // The console shows the user id `ruid` is the Base64 of.
    decodeQuery(param) {
      const ruid = param('ruid');
      if (ruid === undefined) return {};
      const userId = decodeRuid(ruid);
      return { ruid: userId === undefined ? { error: 'ruid is not standard Base64' } : { userId } };
    },
  },
};
