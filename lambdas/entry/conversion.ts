/** The conversion function: POST /v1/conversions. The only API function that sends to the delivery queues. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { createConversionHandler } from '../api/conversion';
import { destinationsOf } from '../config/destinations';
import { SqsDeliveryQueues } from '../store/delivery-queues';
import { apiFunction, apiKeys, awsClientConfig, conversionStore, deliveryMetrics, deliveryQueueUrls, logger, runtimeConfig, tracing } from '../runtime/lambda';

const config = runtimeConfig();

export const handler = apiFunction('conversion', {
  conversion: createConversionHandler({
    config,
    store: conversionStore(),
    queues: new SqsDeliveryQueues(tracing.client(new SQSClient(awsClientConfig())), deliveryQueueUrls(config, destinationsOf(config).map((d) => d.id))),
    apiKeys: apiKeys(),
    logger,
    metrics: deliveryMetrics(),
  }),
});
