/** The conversion function: POST /v1/conversions. The only API function that sends to the delivery queues. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../lib/shape';
import { createConversionHandler } from '../api/conversion';
import { requireEnv } from '../core/env';
import { CloudWatchDeliveryMetrics } from '../core/metrics';
import { SqsDeliveryQueues } from '../store/delivery-queues';
import { apiFunction, apiKeys, logger, runtimeConfig, trackingStore } from '../runtime';

const config = runtimeConfig();
/** Destination id → its queue URL: QUEUE_URL_BASE followed by the queue's fixed name from the bundled configuration. */
const queueUrlBase = requireEnv(ENV.queueUrlBase);
const queueUrls = Object.fromEntries(Object.entries(config.deliveryQueues ?? {}).map(([id, name]) => [id, `${queueUrlBase}${name}`]));

export const handler = apiFunction('conversion', {
  conversion: createConversionHandler({
    config,
    store: trackingStore(),
    queues: new SqsDeliveryQueues(new SQSClient({}), queueUrls),
    apiKeys: apiKeys(),
    logger,
    metrics: new CloudWatchDeliveryMetrics(),
  }),
});
