/** The status function: GET /v1/conversions/{orderId} and GET /v1/health. Reads only. */
import { createHealthHandler, createStatusHandler } from '../api/status';
import { apiFunction, apiKeys, logger, runtimeConfig, orderStore } from '../runtime/lambda';

export const handler = apiFunction('status', {
  status: createStatusHandler({ config: runtimeConfig(), store: orderStore(), apiKeys: apiKeys(), logger }),
  health: createHealthHandler({ logger }),
});
