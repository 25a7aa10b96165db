import type { ApiHandlerName } from '../contract/shape';
import { createCancellationHandler } from './cancellation';
import { createCaptureHandler } from './capture';
import { createConversionHandler } from './conversion';
import { createDeliveriesHandler } from './deliveries';
import type { ApiDeps } from './deps';
import type { ApiHandler } from './http';
import { createHealthHandler, createStatusHandler } from './status';
import { createEraseHandler, createIdentifyHandler } from './visitors';

export type { ApiDeps } from './deps';

/** Builds every API handler over the given dependencies (the local stack and the tests use this). */
export function createApiHandlers(deps: ApiDeps): Record<ApiHandlerName, ApiHandler> {
  return {
    health: createHealthHandler(deps),
    capture: createCaptureHandler(deps),
    identify: createIdentifyHandler(deps),
    erase: createEraseHandler(deps),
    conversion: createConversionHandler(deps),
    status: createStatusHandler(deps),
    deliveries: createDeliveriesHandler(deps),
    cancellation: createCancellationHandler(deps),
  };
}
