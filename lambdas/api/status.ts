import * as z from 'zod';
import { destinationsOf } from '../config/destinations';
import { NotFoundError } from '../core/errors';
import { parseInput } from '../core/validation';
import { presentOrder } from './cancellation';
import { ApiDeps, configOrder } from './deps';
import { ApiHandler, jsonResponse, route } from './http';

/** The path parameter, parsed as a named field so that an error names `orderId`, not the body. */
const orderIdParamSchema = z.object({ orderId: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters') });

/** GET /v1/conversions/{orderId}: the delivery status of every destination, in configuration order. */
export function createStatusHandler(deps: Pick<ApiDeps, 'config' | 'store' | 'apiKeys' | 'logger'>): ApiHandler {
  const inConfigOrder = configOrder(destinationsOf(deps.config));
  return route({ logger: deps.logger, apiKeys: deps.apiKeys, body: false }, async ({ event }) => {
    const { orderId } = parseInput(orderIdParamSchema, { orderId: event.pathParameters?.orderId ?? '' });
    const view = await deps.store.getOrder(orderId);
    if (!view) throw new NotFoundError(`No conversion with orderId ${JSON.stringify(orderId)}`);
    return jsonResponse(200, presentOrder(view, deps.config, inConfigOrder));
  });
}

/** GET /v1/health: no key, no I/O. */
export function createHealthHandler(deps: Pick<ApiDeps, 'logger'>): ApiHandler {
  return route({ logger: deps.logger, body: false }, async () => jsonResponse(200, { status: 'ok' }));
}
