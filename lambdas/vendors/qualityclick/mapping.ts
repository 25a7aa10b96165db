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

/**
 * What reads as "no error": an error count of zero, `none`, `false`, `ok`, German `kein`/`keine`. Used after an error
 * word (`errors=0`, `Fehler: keine`), so that such an answer is not taken for an error report.
 */
const NO_ERROR_VALUE = String.raw`(?:0|none|null|false|no|ok|keine?|nein)\b`;

/**
 * Ways a script answer reports that it did not take the call, in English or German. Whole words only, so
 * "fehlerfrei" (without errors), "Error-Handling" or "Fehlerseite" are not error reports:
 * - the answer starts with a failure word ("ERROR: unknown cpid", "Fehler: Produkt nicht gefunden", "invalid tid"),
 *   unless a no-error value follows it ("errors=0", "Fehler: keine");
 * - an error field with a value that is not a no-error value ("status=ok&error=unknown cpid", "errors=2");
 * - a status or result field whose value is a failure word ("status: error", "Ergebnis: fehlgeschlagen");
 * - a sentence saying an error occurred or that the transaction was not saved or was refused.
 */
const FAILURE_WORD = String.raw`(?:errors?|err|fehler|fail(?:ed|ure)?|fehlgeschlagen|invalid|ung(?:ü|ue)ltig|ko|exception|denied|abgelehnt|verweigert|forbidden|unauthori[sz]ed|not found|nicht gefunden|bad request)`;
const FAILURE_PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`^${FAILURE_WORD}\b(?!\s*[:=]?\s*${NO_ERROR_VALUE})`, 'i'),
  new RegExp(String.raw`\b(?:errors?|err|fehler)\s*[:=]\s*(?!${NO_ERROR_VALUE}|$)\S`, 'i'),
  new RegExp(String.raw`\b(?:status|result|ergebnis)\s*[:=]\s*${FAILURE_WORD}\b`, 'i'),
  /\b(?:ein fehler (?:ist )?aufgetreten|fehler aufgetreten|an error (?:has )?occurred|nicht gespeichert|not (?:been )?saved|(?:transaction|transaktion) (?:was |wurde )?(?:rejected|refused|discarded|abgelehnt|verworfen))\b/i,
];

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
 * a pixel (image) is never an error report; the visible text of any other body is an error report only when it
 * matches one of FAILURE_PATTERNS. Anything unrecognised is not a failure.
 */
export function reportedError(response: VendorResponse): string | undefined {
  const contentType = header(response, 'content-type')?.toLowerCase() ?? '';
  if (contentType.startsWith('image/') || IMAGE_SIGNATURE.test(response.body)) return undefined;
  const text = visibleText(response.body);
  return FAILURE_PATTERNS.some((pattern) => pattern.test(text)) ? text : undefined;
}
