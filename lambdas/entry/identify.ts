/** The identify function: POST /v1/identify and DELETE /v1/visitors, both on the visitor's records. */
import { createEraseHandler, createIdentifyHandler } from '../api/visitors';
import { apiFunction, apiKeys, logger, runtimeConfig, visitorStore } from '../runtime/lambda';

const deps = { config: runtimeConfig(), store: visitorStore(), apiKeys: apiKeys(), logger };

export const handler = apiFunction('identify', {
  identify: createIdentifyHandler(deps),
  erase: createEraseHandler(deps),
});
