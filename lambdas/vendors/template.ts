import * as z from 'zod/mini';
import { formatLineMoney, formatMoney } from '../core/money';
import type { Order, OrderItem } from '../core/order';

/**
 * Macros for configurable vendor values (Raptor's p1…pN, ClickMeter's `param`, generic postback URLs):
 * `{order.orderId}`, `{item.productId}`, `{clickId}`, … Unknown macros are configuration errors, caught at
 * synth and at `npm start`, never at send time.
 */
export const ORDER_FIELDS = ['orderId', 'currency', 'orderValue', 'netValue', 'country', 'returningUser', 'occurredAt', 'itemCount', 'units'] as const;
export const ITEM_FIELDS = ['productId', 'name', 'unitPrice', 'quantity', 'groupId', 'variantId', 'lineNumber', 'lineValue'] as const;

export interface TemplateScope {
  order: Order;
  /** The item being reported, for per-item templates; `lineNumber` is its 1-based position. */
  item?: OrderItem & { lineNumber: number };
  clickId?: string;
  /** `{channel}`: the exclusive group's winning destination, or its `noClickChannel` (lambdas/core/exclusive.ts). */
  channel?: string;
}

export interface MacroSet {
  item?: boolean;
  clickId?: boolean;
  channel?: boolean;
  /** Whether `{` and `}` may appear outside macros (JSON body templates); elsewhere a stray brace is a typo. */
  literalBraces?: boolean;
}

/** `{name}` or `{scope.field}`: identifiers only, so the braces of a JSON body template are not macros. */
const MACRO = /\{([A-Za-z]+(?:\.[A-Za-z]+)?)\}/g;

export function templateMacros(template: string): string[] {
  return [...template.matchAll(MACRO)].map((m) => m[1]!);
}

function isKnown(macro: string, allowed: MacroSet): boolean {
  const [scope, field, ...rest] = macro.split('.');
  if (rest.length) return false;
  if (scope === 'order') return (ORDER_FIELDS as readonly string[]).includes(field ?? '');
  if (scope === 'item') return !!allowed.item && (ITEM_FIELDS as readonly string[]).includes(field ?? '');
  if (scope === 'clickId') return !!allowed.clickId && field === undefined;
  if (scope === 'channel') return !!allowed.channel && field === undefined;
  return false;
}

/** Macros of `template` that are not allowed here. */
export function unknownMacros(template: string, allowed: MacroSet): string[] {
  return templateMacros(template).filter((m) => !isKnown(m, allowed));
}

/** A config string holding a template; rejects unknown macros with a message naming them and the allowed ones. */
export function templateString(allowed: MacroSet) {
  const known = [
    ...ORDER_FIELDS.map((f) => `{order.${f}}`),
    ...(allowed.item ? ITEM_FIELDS.map((f) => `{item.${f}}`) : []),
    ...(allowed.clickId ? ['{clickId}'] : []),
    ...(allowed.channel ? ['{channel}'] : []),
  ];
  return z.string().check(
    z.superRefine((template, ctx) => {
      const unknown = unknownMacros(template, allowed);
      if (unknown.length) {
        ctx.addIssue({ code: 'custom', message: `unknown macro ${unknown.map((m) => `{${m}}`).join(', ')}; known: ${known.join(' ')}` });
      }
      if (!allowed.literalBraces && /[{}]/.test(template.replace(MACRO, ''))) {
        ctx.addIssue({ code: 'custom', message: 'a { or } that is not part of a macro such as {order.orderId}' });
      }
    }),
  );
}

function macroValue(macro: string, scope: TemplateScope): string {
  const [kind, field] = macro.split('.') as [string, string | undefined];
  if (kind === 'clickId') return scope.clickId ?? '';
  if (kind === 'channel') return scope.channel ?? '';
  if (kind === 'order') {
    const order = scope.order;
    if (field === 'itemCount') return String(order.items.length);
    if (field === 'units') return String(order.items.reduce((sum, i) => sum + i.quantity, 0));
    if (field === 'orderValue' || field === 'netValue') return formatMoney(order[field], order.currency);
    const value = order[field as keyof Order];
    return value === undefined ? '' : String(value);
  }
  if (kind === 'item' && scope.item) {
    // Money goes out as money (core/money.ts): plain decimal at the currency's precision, never `1e-7`.
    if (field === 'unitPrice') return formatMoney(scope.item.unitPrice, scope.order.currency);
    if (field === 'lineValue') return formatLineMoney(scope.item.unitPrice, scope.item.quantity, scope.order.currency);
    // A product without a parent or variant is its own group and variant.
    if (field === 'groupId' || field === 'variantId') return scope.item[field] ?? scope.item.productId;
    const value = scope.item[field as keyof TemplateScope['item'] & string];
    return value === undefined ? '' : String(value);
  }
  throw new Error(`Macro {${macro}} has no value in this scope`);
}

/**
 * Fills every macro; `encode` is applied to each substituted value (e.g. encodeURIComponent for a URL template,
 * so a value full of `& = ? #` stays inside its slot), never to the template's own text.
 */
export function fillTemplate(template: string, scope: TemplateScope, encode: (value: string) => string = (v) => v): string {
  return template.replace(MACRO, (_, macro: string) => encode(macroValue(macro, scope)));
}
