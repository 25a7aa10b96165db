/**
 * Klevu analytics, purchase data reported server to server.
 * Document: shared/vendor-docs/001_e08966e2d62a55e4.txt ("Analytics Tracking – Purchase Data"): the batch
 * `POST analytics/collect` ("reporting multiple order data json", used here) and the per-line
 * `GET analytics/producttracking` ("reporting single order data", not used – see README.md).
 */
export const KLEVU_DOCUMENT = 'vendor-docs/001_e08966e2d62a55e4.txt';
export const KLEVU_PUBLIC_ENDPOINT = 'https://stats.ksearchnet.com/analytics/collect';

/** "For order use a constant value order_purchase". */
export const KLEVU_ORDER_EVENT = 'order_purchase';
/** "The event version is used by Klevu's backend; the current version is 1.0.0". */
export const KLEVU_EVENT_VERSION = '1.0.0';

/** `user_profile`: who bought. Field names exactly as the document spells them. */
export interface KlevuUserProfile {
  /** Required for server-side calls ("if calling from JavaScript this is an optional parameter"). */
  ip_address: string;
  email?: string;
  /** Klevu's own visitor id ("can be also considered as session id"), kept by the shop in a cookie. */
  klevu_uuid?: string;
  /** 2-letter country code of the shopper. */
  klevu_country?: string;
  klevu_city?: string;
}

/** One element of `event_data.items`: one order line. */
export interface KlevuOrderItem {
  /** Optional in the document; always sent so Klevu can group the lines of one order. */
  order_id?: string;
  /** Optional in the document: "the unique identifier for reference to a line on an order". */
  order_line_id?: string;
  item_name: string;
  /** "The full id of the product … for compound products … usually parentid-childid". */
  item_id: string;
  /** Parent id; for simple products the same value as item_id. */
  item_group_id: string;
  /** Child variant id; for simple products the same value as item_id. */
  item_variant_id: string;
  /** "The final selling price of the product" – for one unit, as the GET variant's klevu_salePrice says. */
  unit_price: number;
  currency: string;
  /** Integer; Klevu assumes 1 when missing. */
  units?: number;
}

/** One element of the JSON array posted to analytics/collect. */
export interface KlevuEvent {
  event: typeof KLEVU_ORDER_EVENT;
  event_apikey: string;
  event_version: typeof KLEVU_EVENT_VERSION;
  /** Optional: when the purchase happened, in epoch milliseconds. */
  event_timestamp_ms?: number;
  user_profile: KlevuUserProfile;
  event_data: { items: KlevuOrderItem[] };
}

/** The request body of `POST analytics/collect`. */
export type KlevuPayload = KlevuEvent[];

/** Item fields the document marks required, all strings. */
export const KLEVU_REQUIRED_ITEM_STRINGS = ['item_name', 'item_id', 'item_group_id', 'item_variant_id', 'currency'] as const;
