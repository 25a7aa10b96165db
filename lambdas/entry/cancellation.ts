/** The cancellation function: POST /v1/conversions/{orderId}/cancellation. Sends only to the cancellation queues. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createCancellationHandler } from '../api/cancellation';
import { cancelDestinationsOf } from '../config/cancellation';
import { SqsDeliveryQueues } from '../store/delivery-queues';
import { apiFunction, apiKeys, awsClientConfig, deliveryMetrics, deliveryQueueUrls, logger, runtimeConfig, tracing, trackingStore } from '../runtime/lambda';

const config = runtimeConfig();

export const handler = apiFunction('cancellation', {
  cancellation: createCancellationHandler({
    config,
    store: trackingStore(),
    queues: new SqsDeliveryQueues(tracing.client(new SQSClient(awsClientConfig())), deliveryQueueUrls(config, cancelDestinationsOf(config).map((d) => d.id))),
    apiKeys: apiKeys(),
    logger,
    // `queued` per cancellation call: the other half of its destination's delivery ratio (the sender counts `sent`).
    metrics: deliveryMetrics(),
  }),
});
