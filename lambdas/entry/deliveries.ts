/** The deliveries function: GET /v1/deliveries, from the index of unsettled deliveries. Reads only. */
import { createDeliveriesHandler } from '../api/deliveries';
import { apiFunction, apiKeys, logger, runtimeConfig, deliveryStore } from '../runtime/lambda';

export const handler = apiFunction('deliveries', {
  deliveries: createDeliveriesHandler({ config: runtimeConfig(), store: deliveryStore(), apiKeys: apiKeys(), logger }),
});
