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

/**
 * The classification for vendors whose documents say nothing about the response body:
 * 2xx is success; 408/425/429/5xx are retried; any other status is a permanent failure.
 */
export function classifyByStatus(response: VendorResponse): DeliveryOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'sent', vendorStatus: status };
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
