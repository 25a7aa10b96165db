/** The cancellation function: POST /v1/conversions/{orderId}/cancellation. Sends only to the cancellation queues. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../lib/shape';
import { createCancellationHandler } from '../api/cancellation';
import { cancelDestinationsOf } from '../core/cancellation';
import { requireEnv } from '../core/env';
import { SqsDeliveryQueues } from '../store/delivery-queues';
import { apiFunction, apiKeys, logger, runtimeConfig, trackingStore } from '../runtime';

const config = runtimeConfig();
/** Cancellation destination id → its queue URL: QUEUE_URL_BASE followed by the queue's fixed name. */
const queueUrlBase = requireEnv(ENV.queueUrlBase);
const queueUrls = Object.fromEntries(
  cancelDestinationsOf(config)
    .map((d) => [d.id, config.deliveryQueues?.[d.id]] as const)
    .filter((entry): entry is readonly [string, string] => !!entry[1])
    .map(([id, name]) => [id, `${queueUrlBase}${name}`]),
);

export const handler = apiFunction('cancellation', {
  cancellation: createCancellationHandler({
    config,
    store: trackingStore(),
    queues: new SqsDeliveryQueues(new SQSClient({}), queueUrls),
    apiKeys: apiKeys(),
    logger,
  }),
});
