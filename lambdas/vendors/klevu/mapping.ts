import { formatMoney } from '../../core/money';
import type { Order, OrderItem } from '../../core/order';
import type { KlevuConfig } from './config';
import {
  KLEVU_EVENT_VERSION,
  KLEVU_ORDER_EVENT,
  type KlevuEvent,
  type KlevuOrderItem,
  type KlevuPayload,
  type KlevuUserProfile,
} from './types';

/** What plan() learned at conversion time that the order itself does not hold. */
export interface KlevuAttribution {
  uuid?: string;
}

/**
 * `order_line_id`: the order id, a hyphen and the line's 1-based position in the order. The position is fixed once
 * the order is recorded, so retries and redrives send the same id; the suffix is always `-<digits>`, so two
 * different (orderId, line) pairs never produce the same id even when order ids contain hyphens.
 */
export function klevuOrderLineId(orderId: string, lineNumber: number): string {
  return `${orderId}-${lineNumber}`;
}

/**
 * `item_id` must "match the unique value used in your data sync process with Klevu", which "for compound products
 * consisting of a child variant and a parent is usually parentid-childid" (the GET example: `54321-12345` for parent
 * `54321` and variant `12345`). The rule (SPEC §5): `<groupId>-<variantId>` when the shop gave both and they differ –
 * a parent with a distinct variant, whichever of the two ids it reported as productId – else `productId`, verbatim
 * (a simple product, or one without an explicit parent or variant). The conversion keeps groupId and variantId only
 * when the shop sent them, so a defaulted value never makes a compound.
 */
export function klevuItemId(item: Pick<OrderItem, 'productId' | 'groupId' | 'variantId'>): string {
  const { productId, groupId, variantId } = item;
  return groupId !== undefined && variantId !== undefined && groupId !== variantId ? `${groupId}-${variantId}` : productId;
}

export function toKlevuItem(order: Pick<Order, 'orderId' | 'currency'>, item: OrderItem, lineNumber: number): KlevuOrderItem {
  return {
    order_id: order.orderId,
    order_line_id: klevuOrderLineId(order.orderId, lineNumber),
    item_name: item.name,
    item_id: klevuItemId(item),
    // "For simple products please re-use the same value as item_id."
    item_group_id: item.groupId ?? item.productId,
    item_variant_id: item.variantId ?? item.productId,
    unit_price: Number(formatMoney(item.unitPrice, order.currency)),
    currency: order.currency,
    units: item.quantity,
  };
}

function present(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

/**
 * `user_profile`. The country goes out only as the 2-letter code the document asks for (upper-case, as in the
 * code list it links to); a free-text country would be noise in Klevu's reports.
 */
export function toKlevuUserProfile(ip: string, order: Pick<Order, 'shopper'>, config: Pick<KlevuConfig, 'sendEmail'>, attribution: KlevuAttribution): KlevuUserProfile {
  const shopper = order.shopper ?? {};
  const email = config.sendEmail ? present(shopper.email) : undefined;
  const country = present(shopper.country)?.trim();
  const city = present(shopper.city);
  return {
    ip_address: ip,
    ...(email !== undefined ? { email } : {}),
    ...(attribution.uuid !== undefined ? { klevu_uuid: attribution.uuid } : {}),
    ...(country !== undefined && /^[A-Za-z]{2}$/.test(country) ? { klevu_country: country.toUpperCase() } : {}),
    ...(city !== undefined ? { klevu_city: city } : {}),
  };
}

/**
 * The whole body of `POST analytics/collect`: one `order_purchase` event per order, one item per order line.
 * `event_timestamp_ms` is the order's own time, not the send time: a purchase delivered after retries is still
 * reported when it happened, and every retry sends the same bytes.
 */
export function toKlevuPayload(order: Order, config: Pick<KlevuConfig, 'apiKey' | 'sendEmail'>, attribution: KlevuAttribution): KlevuPayload {
  const ip = present(order.shopper?.ip);
  // plan() never schedules an order without an IP; reaching here without one is a programming error.
  if (ip === undefined) throw new Error(`Order ${order.orderId} has no shopper IP: Klevu requires ip_address`);
  const occurredAtMs = Date.parse(order.occurredAt);
  const event: KlevuEvent = {
    event: KLEVU_ORDER_EVENT,
    event_apikey: config.apiKey,
    event_version: KLEVU_EVENT_VERSION,
    ...(Number.isFinite(occurredAtMs) ? { event_timestamp_ms: occurredAtMs } : {}),
    user_profile: toKlevuUserProfile(ip.trim(), order, config, attribution),
    event_data: { items: order.items.map((item, index) => toKlevuItem(order, item, index + 1)) },
  };
  return [event];
}
