/** A destination's sender function (one per destination, same code): consumes its queue and calls the vendor. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../contract/shape';
import { createSender } from '../sender/create';
import { requireEnv } from '../runtime/env';
import { awsClientConfig, deliveryMetrics, logger, runtimeConfig, trackingStore } from '../runtime/lambda';
import { withVendorSecrets } from '../runtime/secrets';

const destinationId = requireEnv(ENV.destination);
logger.appendKeys({ destination: destinationId });

const wiring = {
  destinationId,
  store: trackingStore(),
  sqs: new SQSClient(awsClientConfig()),
  queueUrl: requireEnv(ENV.queueUrl),
  deadLetterQueueUrl: requireEnv(ENV.deadLetterQueueUrl),
  // Set for a postback with a cancellation call: the sale's sender queues it when the order was cancelled meanwhile.
  ...(process.env[ENV.cancellationQueueUrl] ? { cancellationQueueUrl: process.env[ENV.cancellationQueueUrl] } : {}),
  logger,
  metrics: deliveryMetrics(),
};

// Credentials kept in Secrets Manager are read per batch (cached); the sender is built with their values.
export const handler = withVendorSecrets(runtimeConfig(), (config) => createSender({ config, ...wiring }));
