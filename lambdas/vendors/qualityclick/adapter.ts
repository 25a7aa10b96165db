import { queryClickId } from '../../core/click-ids';
import { buildUrl, classifyByStatus, excerpt } from '../classify';
import { ClickIdContext, clickIdContextSchema, planOnClickId } from '../click-id-plan';
import type { VendorAdapter } from '../types';
import { QualityclickConfig, qualityclickConfigSchema } from './config';
import { formatUmsatz, reportedError } from './mapping';
import { inspectQualityclickRequest } from './sandbox';
import { NOCHECK_ON, QUALITYCLICK_DOCUMENT, QUALITYCLICK_TIMEOUT_MS } from './types';

/** The context is the ClickID captured from the landing page (`QC…`), fixed at conversion time so that retries resend it. */
export const qualityclick: VendorAdapter<QualityclickConfig, ClickIdContext> = {
  id: 'qualityclick',
  displayName: 'QUALITYCLICK',
  documentation: QUALITYCLICK_DOCUMENT,
  configSchema: qualityclickConfigSchema,
  contextSchema: clickIdContextSchema,

  clickIds: (config) => [queryClickId(config.clickIdParam, config.attributionDays)],

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
   * Statuses as for every vendor (429/5xx retried, other 4xx failed). The document describes no answer body, so a
   * 2xx is only taken as sent when it does not read as an error. One that does is retried, not failed: we cannot
   * tell a passing fault from a permanent one, a resend is harmless because QUALITYCLICK de-duplicates on tid, and
   * an error that persists ends in the dead-letter queue – whose alarm reaches the operator and which can be
   * redriven once the configuration is fixed – instead of in a final `failed` that loses the commission for good.
   */
  classify(response) {
    const outcome = classifyByStatus(response);
    if (outcome.kind !== 'sent') return outcome;
    const error = reportedError(response);
    if (error === undefined) return outcome;
    return { kind: 'retry', error: `HTTP ${response.status} reporting an error: ${excerpt(error)}`, vendorStatus: response.status };
  },

  inspect: inspectQualityclickRequest,
};
