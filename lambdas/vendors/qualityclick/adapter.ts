import { buildUrl, classifyByStatus, excerpt } from '../classify';
import { ClickIdContext, clickIdContextSchema, planOnClickId } from '../click-id-plan';
import type { VendorAdapter } from '../types';
import { qualityclickClickIds } from './click-ids';
import { QualityclickConfig, qualityclickConfigSchema } from './config';
import { duplicateNotice, formatUmsatz, reportedError } from './mapping';
import { inspectQualityclickRequest } from './sandbox';
import { inspectNotBundled } from '../sandbox-inspect';
import { NOCHECK_ON, QUALITYCLICK_DOCUMENT, QUALITYCLICK_TIMEOUT_MS } from './types';

/** The context is the ClickID captured from the landing page (`QC…`), fixed at conversion time so that retries resend it. */
export const qualityclick: VendorAdapter<QualityclickConfig, ClickIdContext> = {
  id: 'qualityclick',
  displayName: 'QUALITYCLICK',
  documentation: QUALITYCLICK_DOCUMENT,
  configSchema: qualityclickConfigSchema,
  contextSchema: clickIdContextSchema,

  clickIds: qualityclickClickIds,

  plan({ order, config, click }) {
    // Without the ClickID QUALITYCLICK cannot attribute the sale to a partner: there is no cookie to fall back to.
    const planned = planOnClickId(click, config.clickIdParam);
    if (!planned.deliver) return planned;
    // A commission on a negative revenue is meaningless; say so now rather than send a value the script may misread.
    if (!(order.netValue >= 0)) return { deliver: false, reason: `netValue ${order.netValue} is negative: no umsatz to report` };
    return planned;
  },

  buildRequests({ order, config, context }) {
    const url = buildUrl(config.endpoint, [
      ['cpid', config.cpid],
      // QUALITYCLICK de-duplicates on tid, which is what makes every retry (and a parallel browser pixel) harmless.
      ['tid', order.orderId],
      ['clickid', context.clickId],
      ['produkt', config.product],
      // "Net revenue excl. VAT/shipping".
      ['umsatz', formatUmsatz(order.netValue, order.currency)],
      ['nocheck', config.nocheck ? NOCHECK_ON : undefined],
    ]);
    return [{ key: 'transaction', method: 'GET', url, headers: {}, timeoutMs: QUALITYCLICK_TIMEOUT_MS }];
  },

  /**
   * Statuses as for every vendor (429/5xx retried, other 4xx and 3xx failed). The document describes no answer body:
   * - a 2xx (or a 409 Conflict) saying the transaction exists already ("bereits vorhanden", "duplicate", "already
   *   exists" – even with "nicht gespeichert"/"not saved") is `sent`, noted as a duplicate: QUALITYCLICK
   *   "automatically detects duplicates based on the TransactionID (tid) and only creates the transaction once", and
   *   the document's own recommendation (pixel plus S2S call "as a safeguard") makes the server call a duplicate as a
   *   rule;
   * - any other 2xx is taken as sent unless it reads as an error. One that does is retried, not failed: we cannot
   *   tell a passing fault from a permanent one, a resend is harmless because QUALITYCLICK de-duplicates on tid, and
   *   an error that persists ends in the dead-letter queue – whose alarm reaches the operator and which can be
   *   redriven once the configuration is fixed – instead of in a final `failed` that loses the commission for good.
   */
  classify(response) {
    const outcome = classifyByStatus(response);
    const duplicate = outcome.kind === 'sent' || response.status === 409 ? duplicateNotice(response) : undefined;
    if (duplicate !== undefined) {
      return { kind: 'sent', vendorStatus: response.status, note: `QUALITYCLICK already holds this transaction (duplicate tid): ${excerpt(duplicate)}` };
    }
    if (outcome.kind !== 'sent') return outcome;
    const error = reportedError(response);
    if (error === undefined) return outcome;
    return { kind: 'retry', error: `HTTP ${response.status} reporting an error: ${excerpt(error)}`, vendorStatus: response.status };
  },

  /**
   * "The transaction is correctly created in QUALITYCLICK even if the call times out — the data is processed
   * immediately upon receipt." So a call whose request was sent in full and then timed out waiting for the answer is
   * `sent`, the timeout kept in its note (and in the attempt history). A call that never got its request out
   * (`connect`: refused, no connection in time) is retried, and so is a connection dropped after sending: only the
   * timeout is the case the document vouches for. A resend is harmless either way (dedup on tid).
   */
  classifyTransportError(failure) {
    if (failure.phase === 'sent' && failure.timedOut) {
      return { kind: 'sent', note: `no answer in time, but the request was sent: QUALITYCLICK creates the transaction on receipt (${failure.message})` };
    }
    return { kind: 'retry', error: failure.message };
  },

  inspect: process.env.TRACKING_SANDBOX_BUNDLED === 'false' ? inspectNotBundled : inspectQualityclickRequest,
};
