/** A destination's sender function (one per destination, same code): consumes its queue and calls the vendor. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { deliveryQueueSettings, ENV } from '../../lib/shape';
import { destinationsOf } from '../core/destinations';
import { requireEnv } from '../core/env';
import { CloudWatchDeliveryMetrics } from '../core/metrics';
import { createSenderHandler } from '../sender/sender';
import { SqsDeliveryParking, SqsRetryScheduler } from '../store/delivery-queues';
import { fetchHttpSender } from '../vendors/http-sender';
import { logger, runtimeConfig, trackingStore } from '../runtime';

const config = runtimeConfig();
const destinationId = requireEnv(ENV.destination);
const destination = destinationsOf(config).find((d) => d.id === destinationId);
if (!destination) throw new Error(`${ENV.destination}=${destinationId} is not an enabled destination`);
logger.appendKeys({ destination: destinationId });

const sqs = new SQSClient({});

export const handler = createSenderHandler({
  destination,
  delivery: config.delivery,
  store: trackingStore(),
  retries: new SqsRetryScheduler(sqs, requireEnv(ENV.queueUrl)),
  parking: new SqsDeliveryParking(sqs, requireEnv(ENV.deadLetterQueueUrl)),
  http: fetchHttpSender,
  logger,
  claimLeaseSeconds: deliveryQueueSettings(config.delivery).claimLeaseSeconds,
  metrics: new CloudWatchDeliveryMetrics(),
});
