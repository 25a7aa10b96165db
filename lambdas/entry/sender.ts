/** A destination's sender function (one per destination, same code): consumes its queue and calls the vendor. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../contract/shape';
import { createSender } from '../sender/create';
import { fetchHttpSender } from '../vendors/http-sender';
import { requireEnv } from '../runtime/env';
import { awsClientConfig, deliveryMetrics, logger, runtimeConfig, tracing, trackingStore } from '../runtime/lambda';
import { withVendorSecrets } from '../runtime/secrets';

const destinationId = requireEnv(ENV.destination);
logger.appendKeys({ destination: destinationId });

const wiring = {
  destinationId,
  store: trackingStore(),
  sqs: tracing.client(new SQSClient(awsClientConfig())),
  // With tracing on, each vendor call is a subsegment (lambdas/runtime/tracing.ts); otherwise the sender itself.
  http: tracing.vendorCalls(fetchHttpSender, destinationId),
  queueUrl: requireEnv(ENV.queueUrl),
  deadLetterQueueUrl: requireEnv(ENV.deadLetterQueueUrl),
  // Set for a postback with a cancellation call: the sale's sender queues it when the order was cancelled meanwhile.
  ...(process.env[ENV.cancellationQueueUrl] ? { cancellationQueueUrl: process.env[ENV.cancellationQueueUrl] } : {}),
  logger,
  metrics: deliveryMetrics(),
};

// Credentials kept in Secrets Manager are read per batch (cached); the sender is built with their values.
export const handler = tracing.senderHandler(
  destinationId,
  withVendorSecrets(runtimeConfig(), (config) => createSender({ config, ...wiring })),
);
