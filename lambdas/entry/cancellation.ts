/** The cancellation function: POST /v1/conversions/{orderId}/cancellation. Sends only to the cancellation queues. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { queueUrlEnvName } from '../../lib/shape';
import { createCancellationHandler } from '../api/cancellation';
import { cancelDestinationsOf } from '../core/cancellation';
import { SqsDeliveryQueues } from '../store/delivery-queues';
import { apiFunction, apiKeys, logger, runtimeConfig, trackingStore } from '../runtime';

const config = runtimeConfig();
/** Cancellation destination id → its queue URL, from the QUEUE_URL_<DESTINATION>_CANCEL variables the stack sets. */
const queueUrls = Object.fromEntries(
  cancelDestinationsOf(config)
    .map((d) => [d.id, process.env[queueUrlEnvName(d.id)]] as const)
    .filter((entry): entry is readonly [string, string] => !!entry[1]),
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
