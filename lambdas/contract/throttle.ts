/**
 * The HTTP API's throttles, route by route: what the CDK stack sets on its stage and what the local server applies, from
 * the configuration's `api.throttle`. Captures are many and cheap to lose (one landing's click ids); orders and
 * cancellations are few and each one is a sale, so they get limits of their own that no burst of landings can use up.
 */
import type { ApiSettings, ThrottleLimit } from '../config/schema';
import { API_ROUTES, API_THROTTLE, ApiHandlerName, ApiRoute } from './shape';

/** The kinds of route `api.throttle` configures. */
export type ThrottleClass = 'capture' | 'conversion' | 'default';

/**
 * Which throttle each handler's route has. `conversion` covers the order and its cancellation: both carry a sale, and
 * both are answered 429 rather than queued when over their limit, so the shop must be able to count on them.
 */
export const THROTTLE_CLASS: Readonly<Record<ApiHandlerName, ThrottleClass>> = {
  health: 'default',
  capture: 'capture',
  identify: 'default',
  erase: 'default',
  conversion: 'conversion',
  status: 'default',
  deliveries: 'default',
  cancellation: 'conversion',
};

/**
 * The throttles without `api.throttle`. `default` is the stage's own, applied to every route without a setting of its
 * own. Captures are capped at half of it: a newsletter landing or a crawler following tracked links is throttled
 * there, on its own route. Conversions and cancellations get the stage's limits on routes of their own.
 */
export const DEFAULT_API_THROTTLE: Readonly<Record<ThrottleClass, ThrottleLimit>> = {
  default: API_THROTTLE,
  capture: { rateLimit: API_THROTTLE.rateLimit / 2, burstLimit: API_THROTTLE.burstLimit / 2 },
  conversion: API_THROTTLE,
};

/** `api.throttle` with every class filled in. */
export function apiThrottleOf(api: ApiSettings | undefined): Record<ThrottleClass, ThrottleLimit> {
  const given = api?.throttle ?? {};
  return {
    default: given.default ?? DEFAULT_API_THROTTLE.default,
    capture: given.capture ?? DEFAULT_API_THROTTLE.capture,
    conversion: given.conversion ?? DEFAULT_API_THROTTLE.conversion,
  };
}

/** API Gateway's route key of a route: `POST /v1/clicks`. */
export const routeKeyOf = (route: Pick<ApiRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;

export interface RouteThrottles {
  /** The stage's default, for every route not in `routes`. */
  default: ThrottleLimit;
  /** Route key → the route's own throttle: the routes whose class is not `default`. */
  routes: Record<string, ThrottleLimit>;
}

/** The stage default and each route's own throttle, for `routes` (default: every API route). */
export function routeThrottles(api: ApiSettings | undefined, routes: readonly ApiRoute[] = API_ROUTES): RouteThrottles {
  const limits = apiThrottleOf(api);
  const own = routes.filter((r) => THROTTLE_CLASS[r.handler] !== 'default');
  return {
    default: limits.default,
    routes: Object.fromEntries(own.map((r) => [routeKeyOf(r), limits[THROTTLE_CLASS[r.handler]]])),
  };
}

/** The throttle that applies to one route. */
export function throttleOfRoute(throttles: RouteThrottles, route: Pick<ApiRoute, 'method' | 'path'>): ThrottleLimit {
  return throttles.routes[routeKeyOf(route)] ?? throttles.default;
}
