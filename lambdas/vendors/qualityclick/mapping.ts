import { formatMoney } from '../../core/money';
import type { VendorResponse } from '../types';

/**
 * `umsatz`: net revenue as a decimal with a point, as in the document's examples (`95.50`), written by the one money
 * formatter (core/money.ts): the currency's minor units, rounded half away from zero on the decimal value (1.005 →
 * 1.01), so the amount QUALITYCLICK computes commission on matches the shop's own books to the cent.
 */
export function formatUmsatz(amount: number, currency = 'EUR'): string {
  return formatMoney(amount, currency);
}

/** Words with which a script answer says it did not take the call, in English or German. */
const ERROR_WORDS = /\b(error|fehler)/i;

/** A tracking pixel: the magic numbers of GIF and PNG as they survive being read as text. */
const IMAGE_SIGNATURE = /^(GIF8[79]a|[\u0089\ufffd]PNG)/;

function header(response: VendorResponse, name: string): string | undefined {
  const found = Object.entries(response.headers).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

/** The readable text of an answer: markup, scripts and styles removed, so only what a person would read is judged. */
function visibleText(body: string): string {
  return body
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The error a 2xx answer of get_trans.cgi reports in its body, if any. The document describes no answer at all:
 * a pixel (image) is never an error report; any other body is read for "error"/"Fehler".
 */
export function reportedError(response: VendorResponse): string | undefined {
  const contentType = header(response, 'content-type')?.toLowerCase() ?? '';
  if (contentType.startsWith('image/') || IMAGE_SIGNATURE.test(response.body)) return undefined;
  const text = visibleText(response.body);
  return ERROR_WORDS.test(text) ? text : undefined;
}
