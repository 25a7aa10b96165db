import { formatDecimal, formatMoney } from '../../core/money';
import type { Order } from '../../core/order';
import { fillTemplate } from '../template';
import type { ClickmeterConfig } from './config';
import type { ClickmeterPostback } from './types';

/** A number that is not money (`comperc`) in plain decimal notation (`0.0000001`, never `1e-7`). */
export const formatAmount = formatDecimal;

/**
 * The postback's parameters for one order. `comperc` only accompanies a zero `com` (the schema already rejects a
 * percentage next to a non-zero amount; the check here keeps the rule true whatever config reaches it).
 * `param` is the filled template as plain text: the URL builder encodes the whole value once, as in the document's
 * `param=myCustomParam%3Dxyz`, so ClickMeter decodes it back to exactly what the template produced.
 */
export function toPostback(order: Order, config: ClickmeterConfig, clickId: string): ClickmeterPostback {
  const com = config.commission;
  const param = config.param === undefined ? undefined : fillTemplate(config.param, { order });
  return {
    clickId,
    id: config.conversionId,
    val: formatMoney(order[config.value], order.currency),
    com: formatMoney(com, order.currency),
    ...(com === 0 && config.commissionPercent !== undefined ? { comperc: formatAmount(config.commissionPercent) } : {}),
    // A template whose macros are all empty for this order (e.g. `{order.country}` unknown) leaves nothing to send.
    ...(param ? { param } : {}),
  };
}
