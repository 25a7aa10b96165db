import { lazy } from '../../core/lazy';
import { formatMoney } from '../../core/money';
import { jsonReportsError } from '../classify';
import { isNoError, valueAfter } from '../no-error';
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
 * Ways a script answer reports that it did not take the call, in English or German. Whole words only, so
 * "fehlerfrei" (without errors), "Error-Handling" or "Fehlerseite" are not error reports:
 * - the answer starts with a failure word ("ERROR: unknown cpid", "Fehler: Produkt nicht gefunden", "invalid tid"),
 *   unless the value after it says there is none ("errors=0", "Fehler: keine" – the shared isNoError);
 * - an error field with a value that is not a no-error value ("status=ok&error=unknown cpid", "errors=2");
 * - a status or result field whose value is a failure word ("status: error", "Ergebnis: fehlgeschlagen");
 * - a sentence saying an error occurred or that the transaction was not saved or was refused.
 *
 * The patterns are built on first use (`lazy`): a `new RegExp` or a `String.raw` tag at the top level is kept by esbuild
 * in every bundle that reaches this module, used or not.
 */
const FAILURE_WORD = '(?:errors?|err|fehler|fail(?:ed|ure)?|fehlgeschlagen|invalid|ung(?:ü|ue)ltig|ko|exception|denied|abgelehnt|verweigert|forbidden|unauthori[sz]ed|not found|nicht gefunden|bad request)';
const LEADING_FAILURE = /* @__PURE__ */ lazy(() => new RegExp(`^${FAILURE_WORD}\\b`, 'i'));
const ERROR_FIELD = /\b(?:errors?|err|fehler)\s*[:=]/gi;
const FAILURE_PATTERNS = /* @__PURE__ */ lazy((): readonly RegExp[] => [
  new RegExp(`\\b(?:status|result|ergebnis)\\s*[:=]\\s*${FAILURE_WORD}\\b`, 'i'),
  /\b(?:ein fehler (?:ist )?aufgetreten|fehler aufgetreten|an error (?:has )?occurred|nicht gespeichert|not (?:been )?saved|(?:transaction|transaktion) (?:was |wurde )?(?:rejected|refused|discarded|abgelehnt|verworfen))\b/i,
]);

/** Whether the visible text of an answer reports a failure (see FAILURE_WORD and FAILURE_PATTERNS). */
function textReportsFailure(text: string): boolean {
  const leading = LEADING_FAILURE().exec(text)?.[0];
  if (leading !== undefined) {
    const value = valueAfter(text.slice(leading.length));
    if (value === '' || !isNoError(value)) return true;
  }
  for (const field of text.matchAll(ERROR_FIELD)) {
    const value = valueAfter(text.slice(field.index + field[0].length));
    if (value !== '' && !isNoError(value)) return true;
  }
  return FAILURE_PATTERNS().some((pattern) => pattern.test(text));
}

/**
 * An answer saying QUALITYCLICK holds the transaction already: "bereits vorhanden", "existiert bereits", "Duplikat",
 * "duplicate", "already exists", "already (been) recorded/saved/tracked/registered". Not after a negation ("kein
 * Duplikat", "no duplicate").
 */
const DUPLICATE =
  /(?<!\b(?:no|not|not an?|kein|keine|keinen|nicht)\s)\b(?:(?:bereits|schon) (?:vorhanden|erfasst|gespeichert|registriert|eingetragen)|existiert (?:bereits|schon)|duplikat\w*|duplicate[sd]?|already exists?|already (?:been )?(?:recorded|saved|tracked|registered))\b/i;

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

/** The text of an answer a person would read: JSON as it is, the visible text of anything else. */
function readableText(response: VendorResponse): string | undefined {
  const contentType = header(response, 'content-type')?.toLowerCase() ?? '';
  if (contentType.startsWith('image/') || IMAGE_SIGNATURE.test(response.body)) return undefined;
  return visibleText(response.body);
}

/**
 * The error a 2xx answer of get_trans.cgi reports in its body, if any. The document describes no answer at all:
 * a pixel (image) is never an error report; JSON is read as for every vendor (jsonReportsError); the visible text of
 * any other body is an error report only when textReportsFailure says so. Anything unrecognised is not a failure.
 */
export function reportedError(response: VendorResponse): string | undefined {
  const text = readableText(response);
  if (text === undefined || text === '') return undefined;
  const json = text.startsWith('{') || text.startsWith('[') ? jsonReportsError(response.body.trim()) : undefined;
  if (json !== undefined) return json ? text : undefined;
  return textReportsFailure(text) ? text : undefined;
}

/**
 * The duplicate notice of an answer, if it is one: its visible text when it says QUALITYCLICK holds the transaction
 * already (DUPLICATE) – whatever else it says ("nicht gespeichert", "not saved": not saved again).
 */
export function duplicateNotice(response: VendorResponse): string | undefined {
  const text = readableText(response);
  return text !== undefined && DUPLICATE.test(text) ? text : undefined;
}
