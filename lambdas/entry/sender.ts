/** A destination's sender function (one per destination, same code): consumes its queue and calls the vendor. */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RuntimeConfig } from '../contract/runtime-config';
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

const build = (config: RuntimeConfig) => createSender({ config, ...wiring });

// Credentials kept in Secrets Manager are read per batch (cached); the sender is built with their values. A sender
// whose configuration names none is bundled without the reader and its Secrets Manager client
// (lib/constructs/tracking-function.ts, trackingBundling): esbuild reads the condition as true and leaves the other
// branch out.
export const handler = tracing.senderHandler(
  destinationId,
  process.env.TRACKING_VENDOR_SECRETS_BUNDLED === 'false' ? withoutVendorSecrets(runtimeConfig(), build) : withVendorSecrets(runtimeConfig(), build),
);

/** The sender of a bundle without the reader: a configuration that names secrets anyway fails at init, never sends without them. */
function withoutVendorSecrets<H>(config: RuntimeConfig, create: (config: RuntimeConfig) => H): H {
  if (config.secrets?.length) throw new Error('This sender was bundled without the Secrets Manager reader, but its configuration names secrets');
  return create(config);
}
