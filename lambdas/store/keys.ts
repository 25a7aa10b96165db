import { VISITOR_KEY_KINDS, VisitorKey, VisitorKeyKind } from '../core/visitor';

/**
 * Item keys of the single table (see docs/DATA-MODEL.md). Values are appended after a fixed prefix, so a `#`
 * inside an id can never collide with another item's key.
 */
export const visitorPk = (key: VisitorKey): string => `VIS#${VISITOR_KEY_KINDS[key.kind]}#${key.value}`;
export const clickSk = (clickKey: string): string => `CLICK#${clickKey}`;
export const linkSk = (key: VisitorKey): string => `LINK#${VISITOR_KEY_KINDS[key.kind]}#${key.value}`;
export const orderPk = (orderId: string): string => `ORDER#${orderId}`;
export const ORDER_SK = 'ORDER';
export const deliverySk = (destination: string): string => `DELIVERY#${destination}`;

export const CLICK_PREFIX = 'CLICK#';
export const LINK_PREFIX = 'LINK#';
export const DELIVERY_PREFIX = 'DELIVERY#';

const KIND_BY_TAG = Object.fromEntries(Object.entries(VISITOR_KEY_KINDS).map(([kind, tag]) => [tag, kind])) as Record<string, VisitorKeyKind>;

/** The visitor key a `LINK#…` sort key points to. */
export function linkedKey(sk: string): VisitorKey | undefined {
  const rest = sk.slice(LINK_PREFIX.length);
  const kind = KIND_BY_TAG[rest.slice(0, 1)];
  if (!kind || rest[1] !== '#') return undefined;
  return { kind, value: rest.slice(2) };
}
