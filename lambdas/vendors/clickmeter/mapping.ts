import type { Order } from '../../core/order';
import { fillTemplate } from '../template';
import type { ClickmeterConfig } from './config';
import type { ClickmeterPostback } from './types';

/**
 * An amount in plain decimal notation (`609.07`, `0.0000001`), never the exponent form `String()` gives very small
 * or very large numbers (`1e-7`), which a receiver expecting "a value, e.g. 20" may not read as a number.
 */
export function formatAmount(amount: number): string {
  const plain = String(amount);
  if (!/e/i.test(plain)) return plain;
  return amount.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

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
    val: formatAmount(order[config.value]),
    com: formatAmount(com),
    ...(com === 0 && config.commissionPercent !== undefined ? { comperc: formatAmount(config.commissionPercent) } : {}),
    // A template whose macros are all empty for this order (e.g. `{order.country}` unknown) leaves nothing to send.
    ...(param ? { param } : {}),
  };
}
