import { isNoError, valueAfter } from './no-error';
import type { DeliveryOutcome, VendorResponse } from './types';

/** Statuses that mean "try again later" whatever the vendor: timeouts, throttling, server faults. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Seconds from a `Retry-After` header (delta-seconds or HTTP date), if present and sane. */
export function retryAfterSeconds(headers: Record<string, string>, now: Date = new Date()): number | undefined {
  const raw = headers['retry-after'];
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** A short, single-line excerpt of a vendor's answer for `lastError`. */
export function excerpt(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** A header of the answer, whatever the case of its name. */
function header(response: VendorResponse, name: string): string | undefined {
  return Object.entries(response.headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * The classification for vendors whose documents say nothing about the response body:
 * 2xx is success; 408/425/429/5xx are retried; any other status is a permanent failure. A 3xx is one too, whose
 * error names its `Location`: vendor calls never follow a redirect (a followed 301/302/303 re-sends a POST as a GET
 * without its body), so the operator points the endpoint where the redirect leads and redrives.
 */
export function classifyByStatus(response: VendorResponse): DeliveryOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'sent', vendorStatus: status };
  if (status >= 300 && status < 400) {
    const location = header(response, 'location')?.trim();
    const where = location ? `to Location ${excerpt(location)}` : 'with no Location';
    return { kind: 'failed', error: `HTTP ${status}: a redirect ${where}, which vendor calls never follow; fix the endpoint and redrive`, vendorStatus: status };
  }
  const error = `HTTP ${status}${response.body ? `: ${excerpt(response.body)}` : ''}`;
  if (isRetryableStatus(status)) {
    const after = status === 429 || status === 503 ? retryAfterSeconds(response.headers) : undefined;
    return { kind: 'retry', error, vendorStatus: status, ...(after !== undefined ? { retryAfterSeconds: after } : {}) };
  }
  return { kind: 'failed', error, vendorStatus: status };
}

/** Builds `base?name=value&…` with every value percent-encoded (RFC 3986, spaces as %20); undefined values are left out. */
export function buildUrl(base: string, params: ReadonlyArray<readonly [string, string | number | boolean | undefined]>): string {
  const query = params
    .filter((entry): entry is readonly [string, string | number | boolean] => entry[1] !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  if (!query) return base;
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

/** Words a plain-text answer starts with when it rejects a call ("ERROR: unknown id", "Invalid clickId", "KO"). */
const ERROR_TEXT = /^(?:errors?|err|exception|fail(?:ed|ure)?|invalid|ko|not found|bad request)\b/i;
const ERROR_TITLE = /<title[^>]*>([^<]*\b(?:error|not found|invalid|bad request|forbidden)\b[^<]*)<\/title>/i;
const ERROR_STATUS = /^(?:error|errors|fail(?:ed|ure)?|ko|invalid)$/i;

function isFailureRecord(record: Record<string, unknown>): boolean {
  if (record.success === false || record.ok === false) return true;
  if (![record.error, record.errors, record.errorMessage].every(isNoError)) return true;
  return [record.status, record.result].some((v) => typeof v === 'string' && ERROR_STATUS.test(v.trim()));
}

/**
 * Whether a JSON answer (an object, or an array of them) reports an error: `success:false`, `ok:false`, an
 * `error`/`errors`/`errorMessage` that is not a no-error value (isNoError: `null`, `false`, `0`, `""`, `"none"`, `[]`,
 * … are none), or an error `status`/`result`. Undefined when the body is not JSON.
 */
export function jsonReportsError(body: string): boolean | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const records = Array.isArray(parsed) ? parsed : [parsed];
  return records.some((r) => typeof r === 'object' && r !== null && !Array.isArray(r) && isFailureRecord(r as Record<string, unknown>));
}

/**
 * Whether a text reports an error: it starts with an error word (ERROR_TEXT), unless the value the word is given says
 * there is none ("Error: none", "error=0", "ERROR: 0", "Errors: false" – isNoError), and it is not itself a no-error
 * statement ("No error").
 */
function textReportsError(text: string): boolean {
  if (isNoError(text)) return false;
  const word = ERROR_TEXT.exec(text)?.[0];
  if (word === undefined) return false;
  const value = valueAfter(text.slice(word.length));
  return value === '' || !isNoError(value);
}

/**
 * The error a 2xx body clearly reports, if any – affiliate platforms are known to answer 200 with an error inside.
 * Recognised: JSON with an error (jsonReportsError); an HTML page whose title says error; plain text starting with an
 * error word (textReportsError). An error word given a no-error value ("Error: none", `{"error":null}`) is no error.
 * Anything else – empty, a pixel, "OK", other JSON or HTML – reads as acceptance, so an unexpected but harmless answer
 * can never fail every order.
 */
export function reportedError(response: VendorResponse): string | undefined {
  const body = response.body.trim();
  if (!body) return undefined;
  const contentType = (header(response, 'content-type') ?? '').toLowerCase();
  if (/image\/|octet-stream/.test(contentType)) return undefined;
  if (contentType.includes('json') || body.startsWith('{') || body.startsWith('[')) {
    const failed = jsonReportsError(body);
    // Not JSON after all: judged as text below.
    if (failed !== undefined) return failed ? body : undefined;
  }
  if (body.startsWith('<')) {
    const title = ERROR_TITLE.exec(body)?.[1]?.trim();
    return title !== undefined && textReportsErrorOrNamesOne(title) ? title : undefined;
  }
  return textReportsError(body) ? body : undefined;
}

/** A page title that names an error ("404 Not Found", "Error: unknown id") – unless it says there is none. */
function textReportsErrorOrNamesOne(title: string): boolean {
  if (isNoError(title)) return false;
  return ERROR_TEXT.test(title) ? textReportsError(title) : true;
}

/**
 * Status first (classifyByStatus), then the body of a 2xx (reportedError). A 2xx that reports an error is `failed`
 * by default: the retry would send the same bytes and be refused the same way; a vendor that judges otherwise
 * passes 'retry'.
 */
export function classifyByStatusAndBody(response: VendorResponse, vendor: string, onBodyError: 'failed' | 'retry' = 'failed'): DeliveryOutcome {
  const outcome = classifyByStatus(response);
  if (outcome.kind !== 'sent') return outcome;
  const reported = reportedError(response);
  if (reported === undefined) return outcome;
  return { kind: onBodyError, error: `${vendor} answered HTTP ${response.status} reporting an error: ${excerpt(reported)}`, vendorStatus: response.status };
}
