import type { Order } from '../core/order';
import type { DeliveryPlan, VendorAdapter, VendorRequest } from './types';

/**
 * The longest URL a vendor call may have, in bytes (scheme, host, path and query). Web servers commonly refuse
 * request lines above 8 KiB (414 URI Too Long, or 431 when they count it with the headers); 8,000 bytes stays under
 * every such default. The local sandbox answers 414 above it, as a real server would.
 */
export const MAX_URL_BYTES = 8000;

export function urlBytes(url: string): number {
  return Buffer.byteLength(url, 'utf8');
}

/** The first request whose URL is over the limit, if any. */
export function oversizedRequest(requests: readonly VendorRequest[]): { request: VendorRequest; bytes: number } | undefined {
  for (const request of requests) {
    const bytes = urlBytes(request.url);
    if (bytes > MAX_URL_BYTES) return { request, bytes };
  }
  return undefined;
}

/**
 * At conversion time: a delivery whose call(s) would not fit the URL limit – even after the vendor's own
 * shortening (Kelkoo's product names) – is skipped now, with the reason, instead of failing at send time with a
 * 414 no retry can change.
 */
export function withinUrlLimit<Config, Context extends Record<string, unknown>>(
  adapter: VendorAdapter<Config, Context>,
  order: Order,
  config: Config,
  plan: DeliveryPlan<Context>,
): DeliveryPlan<Context> {
  if (!plan.deliver) return plan;
  const oversized = oversizedRequest(adapter.buildRequests({ order, config, context: plan.context }));
  if (!oversized) return plan;
  return {
    deliver: false,
    reason: `the ${oversized.request.method} request would be ${oversized.bytes} bytes long, over the ${MAX_URL_BYTES}-byte URL limit vendors accept`,
  };
}
