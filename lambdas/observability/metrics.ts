import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Per-destination delivery counts, published as CloudWatch metrics (embedded metric format, via Powertools):
 * the dashboard's sent / failed / skipped / dead-lettered graphs and the alarms read these names.
 */
export const METRICS_NAMESPACE = 'ConversionTracking';
export const METRICS_SERVICE = 'conversion-tracking';
export const DESTINATION_DIMENSION = 'destination';

/**
 * `queued`: a message put on a destination's queue – counted by the conversion route for a sale, once per recorded
 * order, and by the cancellation route for a cancellation call (`<postback>-cancel`); with `sent` it is what a
 * destination's delivery-ratio alarm divides.
 * `dropped`: a message the sender refused because it differs from the order the service recorded (never sent).
 * `cancelled`: a delivery the order's cancellation stopped before it was sent (counted by the cancellation route).
 */
export type DeliveryEvent = 'queued' | 'skipped' | 'sent' | 'failed' | 'retrying' | 'dead-lettered' | 'dropped' | 'cancelled';

export const DELIVERY_METRICS: Record<DeliveryEvent, string> = {
  queued: 'DeliveriesQueued',
  skipped: 'DeliveriesSkipped',
  sent: 'DeliveriesSent',
  failed: 'DeliveriesFailed',
  retrying: 'DeliveryRetries',
  'dead-lettered': 'DeliveriesDeadLettered',
  dropped: 'MessagesDropped',
  cancelled: 'DeliveriesCancelled',
};

/** A conversion whose visitor traversal its time budget stopped (lambdas/store/visitor-store.ts), without a destination. */
export const TRAVERSAL_CUT_METRIC = 'VisitorTraversalsCut';

export interface DeliveryMetrics {
  /** Counts `value` (default 1) occurrences of `event` for `destination`. */
  count(destination: string, event: DeliveryEvent, value?: number): void;
  /** Counts one TRAVERSAL_CUT_METRIC. */
  traversalCut?(): void;
}

/** For tests and tools that publish nothing. */
export const noDeliveryMetrics: DeliveryMetrics = { count: () => undefined };

/** Records in memory; tests read `events`. */
export class RecordingDeliveryMetrics implements DeliveryMetrics {
  readonly events: Array<{ destination: string; event: DeliveryEvent }> = [];
  count(destination: string, event: DeliveryEvent, value = 1): void {
    for (let i = 0; i < value; i++) this.events.push({ destination, event });
  }
  traversalsCut = 0;
  traversalCut(): void {
    this.traversalsCut += 1;
  }
}

/**
 * One EMF record per call, dimensioned by destination (and Powertools' `service`). Callers count what they can
 * together (a sender: one record per event kind per batch) – every record is a log line that is paid for.
 */
export class CloudWatchDeliveryMetrics implements DeliveryMetrics {
  private readonly metrics: Metrics;

  /** `serviceName`: the `service` dimension – the function's POWERTOOLS_SERVICE_NAME, one per stage. */
  constructor(serviceName: string = METRICS_SERVICE) {
    this.metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  }

  count(destination: string, event: DeliveryEvent, value = 1): void {
    const single = this.metrics.singleMetric();
    single.addDimension(DESTINATION_DIMENSION, destination);
    single.addMetric(DELIVERY_METRICS[event], MetricUnit.Count, value);
  }

  traversalCut(): void {
    this.metrics.singleMetric().addMetric(TRAVERSAL_CUT_METRIC, MetricUnit.Count, 1);
  }
}
