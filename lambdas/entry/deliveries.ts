/** The deliveries function: GET /v1/deliveries, from the index of unsettled deliveries. Reads only. */
import { createDeliveriesHandler } from '../api/deliveries';
import { apiFunction, apiKeys, logger, runtimeConfig, trackingStore } from '../runtime/lambda';

export const handler = apiFunction('deliveries', {
  deliveries: createDeliveriesHandler({ config: runtimeConfig(), store: trackingStore(), apiKeys: apiKeys(), logger }),
});
