/**
 * Kelkoo Group Sales Tracking web service, server to server.
 * Document: shared/vendor-docs/000_b3431d9b44bbb334.txt ("Server to server implementation").
 */
export const KELKOO_DOCUMENT = 'vendor-docs/000_b3431d9b44bbb334.txt';
export const KELKOO_PUBLIC_ENDPOINT = 'https://s.kelkoogroup.net/st';

/** One element of the `productsInfos` JSON array, field names exactly as the document spells them. */
export interface KelkooProductInfo {
  productname: string;
  productid: string;
  /** Unit price ("double"). */
  price: number;
  /** "integer, floating number is not allowed here". */
  quantity: number;
}

/** Query parameters of `GET /st`, in the order of the document's example call. */
export const KELKOO_QUERY_ORDER = [
  'country', 'orderId', 'comId', 'orderValue', 'productsInfos', 'saleId',
  'kelkooId', 'gclid', 'msclkid', 'returningUser', 'source',
] as const;
export const KELKOO_MANDATORY = ['country', 'orderId', 'comId', 'orderValue', 'productsInfos', 'saleId'] as const;
