/** The conversion function: POST /v1/conversions. The only API function that sends to the delivery queues. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { queueUrlEnvName } from '../../lib/shape';
import { createConversionHandler } from '../api/conversion';
import { destinationsOf } from '../core/destinations';
import { CloudWatchDeliveryMetrics } from '../core/metrics';
import { SqsDeliveryQueues } from '../store/delivery-queues';
import { apiFunction, apiKeys, logger, runtimeConfig, trackingStore } from '../runtime';

const config = runtimeConfig();
/** Destination id → its queue URL, from the QUEUE_URL_<DESTINATION> variables the stack sets. */
const queueUrls = Object.fromEntries(
  destinationsOf(config)
    .map((d) => [d.id, process.env[queueUrlEnvName(d.id)]] as const)
    .filter((entry): entry is readonly [string, string] => !!entry[1]),
);

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
