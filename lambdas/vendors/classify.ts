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
const ERROR_TEXT = /^(?:error|err|exception|fail(?:ed|ure)?|invalid|ko|not found|bad request)\b/i;
const ERROR_TITLE = /<title[^>]*>([^<]*\b(?:error|not found|invalid|bad request|forbidden)\b[^<]*)<\/title>/i;
const ERROR_STATUS = /^(?:error|errors|fail(?:ed|ure)?|ko|invalid)$/i;

function hasContent(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return value === true || (typeof value === 'string' && value.trim() !== '');
}

function isFailureRecord(record: Record<string, unknown>): boolean {
  if (record.success === false || record.ok === false) return true;
  if (hasContent(record.error) || hasContent(record.errors) || hasContent(record.errorMessage)) return true;
  return [record.status, record.result].some((v) => typeof v === 'string' && ERROR_STATUS.test(v.trim()));
}

/**
 * The error a 2xx body clearly reports, if any – affiliate platforms are known to answer 200 with an error inside.
 * Recognised: JSON (an object, or an array of them) with `success:false`, `ok:false`, a non-empty
 * `error`/`errors`/`errorMessage`, or an error `status`/`result`; an HTML page whose title says error; plain text
 * starting with an error word. Anything else – empty, a pixel, "OK", other JSON or HTML – reads as acceptance,
 * so an unexpected but harmless answer can never fail every order.
 */
export function reportedError(response: VendorResponse): string | undefined {
  const body = response.body.trim();
  if (!body) return undefined;
  const contentType = (response.headers['content-type'] ?? '').toLowerCase();
  if (/image\/|octet-stream/.test(contentType)) return undefined;
  if (contentType.includes('json') || body.startsWith('{') || body.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(body);
      const records = Array.isArray(parsed) ? parsed : [parsed];
      const failed = records.some((r) => typeof r === 'object' && r !== null && !Array.isArray(r) && isFailureRecord(r as Record<string, unknown>));
      return failed ? body : undefined;
    } catch {
      // Not JSON after all: judged as text below.
    }
  }
  if (body.startsWith('<')) return ERROR_TITLE.exec(body)?.[1]?.trim();
  return ERROR_TEXT.test(body) ? body : undefined;
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
