import { z } from 'zod';
import { SECONDS_PER_DAY } from '../../core/time';
import { classifyByStatus, excerpt } from '../classify';
import type { DeliveryOutcome, VendorAdapter, VendorResponse } from '../types';
import { KlevuConfig, klevuConfigSchema } from './config';
import { toKlevuPayload } from './mapping';
import { inspectKlevuRequest } from './sandbox';
import { KLEVU_DOCUMENT } from './types';

const contextSchema = z.strictObject({
  /** Klevu's visitor id, when the shop captured one within the attribution window. */
  uuid: z.string().optional(),
});
type KlevuContext = z.infer<typeof contextSchema>;

/** Storage key of the Klevu uuid the shop passes as `identifiers.klevu.uuid`. */
const UUID_KEY = 'klevu.uuid';

function isFailureMarker(record: Record<string, unknown>): boolean {
  const status = record['status'];
  if (typeof status === 'string' && /^(error|errors|fail|failed|failure)$/i.test(status.trim())) return true;
  if (record['success'] === false || record['ok'] === false) return true;
  const error = record['error'];
  if (error !== undefined && error !== null && error !== false && error !== '') return true;
  const errors = record['errors'];
  if (Array.isArray(errors)) return errors.length > 0;
  return typeof errors === 'object' && errors !== null && Object.keys(errors).length > 0;
}

/**
 * Whether a 2xx body is Klevu reporting a rejection. The document shows no response body at all, so only an answer
 * that unmistakably says "error" counts; an empty, plain-text or other JSON body is an acceptance.
 */
function reportsError(body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  const records = Array.isArray(parsed) ? parsed : [parsed];
  return records.some((r) => typeof r === 'object' && r !== null && !Array.isArray(r) && isFailureMarker(r as Record<string, unknown>));
}

function classifyKlevuResponse(response: VendorResponse): DeliveryOutcome {
  const byStatus = classifyByStatus(response);
  if (byStatus.kind !== 'sent' || !reportsError(response.body)) return byStatus;
  // Every retry would post the same bytes, so a rejection of the content itself (key, event shape) cannot heal.
  return { kind: 'failed', error: `Klevu answered HTTP ${response.status} with an error: ${excerpt(response.body)}`, vendorStatus: response.status };
}

export const klevu: VendorAdapter<KlevuConfig, KlevuContext> = {
  id: 'klevu',
  displayName: 'Klevu',
  documentation: KLEVU_DOCUMENT,
  configSchema: klevuConfigSchema,
  contextSchema,

  clickIds: (config) => [{ source: { identifier: { vendor: 'klevu', field: 'uuid' } }, windowSeconds: config.attributionDays * SECONDS_PER_DAY }],

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

  classify: (response) => classifyKlevuResponse(response),

  inspect: inspectKlevuRequest,
};
