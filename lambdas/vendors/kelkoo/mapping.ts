import type { Order, OrderItem } from '../../core/order';
import type { KelkooProductInfo } from './types';

export function toProductInfo(item: OrderItem): KelkooProductInfo {
  return { productname: item.name, productid: item.productId, price: item.unitPrice, quantity: item.quantity };
}

/**
 * `productsInfos`: Base64 of the JSON array, URL-safe alphabet without padding – the document's PHP reference
 * (`rtrim(strtr(base64_encode(...), '+/', '-_'), '=')`). Its characters need no percent-encoding, so the value
 * survives any number of URL-encoding passes on either side unchanged; for the document's example basket it is
 * identical to the standard alphabet.
 */
export function encodeProductsInfos(order: Pick<Order, 'items'>): string {
  return Buffer.from(JSON.stringify(order.items.map(toProductInfo)), 'utf8').toString('base64url');
}

/** Inverse of encodeProductsInfos; accepts either Base64 alphabet, with or without padding. */
export function decodeProductsInfos(value: string): KelkooProductInfo[] {
  const standard = value.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(Buffer.from(standard, 'base64').toString('utf8')) as KelkooProductInfo[];
}
