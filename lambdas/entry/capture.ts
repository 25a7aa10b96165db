/** The capture function: POST /v1/clicks. DynamoDB and the API keys only – no queue, no vendor delivery. */
import { createCaptureHandler } from '../api/capture';
import { apiFunction, apiKeys, logger, runtimeConfig, visitorStore } from '../runtime/lambda';

export const handler = apiFunction('capture', {
  capture: createCaptureHandler({ config: runtimeConfig(), store: visitorStore(), apiKeys: apiKeys(), logger }),
});
