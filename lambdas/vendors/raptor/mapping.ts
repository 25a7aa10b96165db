import type { Order, OrderItem } from '../../core/order';
import { fillTemplate } from '../template';
import { PURCHASE_PARAM_NAME } from './types';

/** The ids planned for one order, raw as captured (ruid is the user id itself, not yet Base64). */
export interface RaptorIds {
  coid: string;
  sid: string;
  ruid?: string;
  reaid?: string;
  xuid?: string;
}

/**
 * `ruid`: "A base64 encoded userid". Standard Base64 (RFC 4648 §4, `+/` and `=` padding) of the UTF-8 bytes:
 * the document names no variant, so it means the default one – the one JavaScript's `btoa` and every platform's
 * plain "base64" function produce for an ASCII id such as an e-mail address, which keeps a ruid computed here equal
 * to one computed in a browser. Its `+ / =` are then percent-encoded like every parameter ("All Parameters must be
 * URL encoded"); URL-safe Base64 would avoid that, but a decoder expecting the standard alphabet misreads `-` and `_`.
 */
export function encodeRuid(userId: string): string {
  return Buffer.from(userId, 'utf8').toString('base64');
}

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Inverse of encodeRuid; undefined when the value is not canonical standard Base64 (Node's decoder never throws). */
export function decodeRuid(value: string): string | undefined {
  if (!value || !STANDARD_BASE64.test(value)) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

/** `p1` → 1: p-parameters are positional, so they are sent in numeric order (p2 before p10), not key order. */
function position(name: string): number {
  return Number(PURCHASE_PARAM_NAME.exec(name)?.[1]);
}

/** The configured p-parameters filled for one order line, in numeric order; values raw (buildUrl encodes them). */
export function purchaseParamValues(
  purchaseParams: Record<string, string>,
  order: Order,
  item: OrderItem,
  lineNumber: number,
): Array<[string, string]> {
  return Object.entries(purchaseParams)
    .sort(([a], [b]) => position(a) - position(b))
    .map(([name, template]) => [name, fillTemplate(template, { order, item: { ...item, lineNumber } })]);
}

/**
 * The id parameters of every call, in the document's order. `xuid` (HeyLoyalty only) "can NOT be used together
 * with ReaId and RuId", so it is sent only when neither of them is; reaid/ruid win because they are the ids the
 * document describes for every customer.
 */
export function idParams(ids: RaptorIds): Array<[string, string | undefined]> {
  const ruid = ids.ruid !== undefined ? encodeRuid(ids.ruid) : undefined;
  const xuid = ids.reaid === undefined && ruid === undefined ? ids.xuid : undefined;
  return [
    ['coid', ids.coid],
    ['ruid', ruid],
    ['sid', ids.sid],
    ['reaid', ids.reaid],
    ['xuid', xuid],
  ];
}
