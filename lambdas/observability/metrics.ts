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

/** What an operator reads on a metric record beside its counts: the record is the call's log line (no other is written). */
export type RecordProperties = Readonly<Record<string, unknown>>;

export interface DeliveryMetrics {
  /** Counts `value` (default 1) occurrences of `event` for `destination`, with `properties` on its record. */
  count(destination: string, event: DeliveryEvent, value?: number, properties?: RecordProperties): void;
  /**
   * Counts several events of one destination in one record, with `properties` on it: a sender's batch, whose record
   * is also its log line (the order ids it settled, the invocation's request id).
   */
  countAll(destination: string, counts: Iterable<readonly [DeliveryEvent, number]>, properties?: RecordProperties): void;
  /** Counts one TRAVERSAL_CUT_METRIC. */
  traversalCut?(): void;
}

/** For tests and tools that publish nothing. */
export const noDeliveryMetrics: DeliveryMetrics = { count: () => undefined, countAll: () => undefined };

/** Records in memory; tests read `events`. */
export class RecordingDeliveryMetrics implements DeliveryMetrics {
  readonly events: Array<{ destination: string; event: DeliveryEvent }> = [];
  /** Every record as it would be published: its destination, its counts and the properties on it. */
  readonly records: Array<{ destination: string; counts: Partial<Record<DeliveryEvent, number>>; properties: RecordProperties }> = [];
  count(destination: string, event: DeliveryEvent, value = 1, properties: RecordProperties = {}): void {
    this.countAll(destination, [[event, value]], properties);
  }
  countAll(destination: string, counts: Iterable<readonly [DeliveryEvent, number]>, properties: RecordProperties = {}): void {
    const record: Partial<Record<DeliveryEvent, number>> = {};
    for (const [event, value] of counts) {
      // As CloudWatchDeliveryMetrics publishes them: a count of 0 is no metric, and a record of none is not written.
      if (value <= 0) continue;
      record[event] = (record[event] ?? 0) + value;
      for (let i = 0; i < value; i++) this.events.push({ destination, event });
    }
    if (Object.keys(record).length) this.records.push({ destination, counts: record, properties });
  }
  traversalsCut = 0;
  traversalCut(): void {
    this.traversalsCut += 1;
  }
}

/**
 * One EMF record per call, dimensioned by destination (and Powertools' `service`). Callers count what they can
 * together (a sender: one record per batch, all its outcomes) and put on the record what an operator would otherwise
 * read on a log line of its own (an order id, the invocation's request id): every record is a log line that is paid
 * for, so the record is the line.
 */
export class CloudWatchDeliveryMetrics implements DeliveryMetrics {
  private readonly metrics: Metrics;

  /** `serviceName`: the `service` dimension – the function's POWERTOOLS_SERVICE_NAME, one per stage. */
  constructor(serviceName: string = METRICS_SERVICE) {
    this.metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  }

  count(destination: string, event: DeliveryEvent, value = 1, properties: RecordProperties = {}): void {
    this.countAll(destination, [[event, value]], properties);
  }

  countAll(destination: string, counts: Iterable<readonly [DeliveryEvent, number]>, properties: RecordProperties = {}): void {
    // Synchronous from the first add to the publish: concurrent invocations in one process cannot mix their records.
    let any = false;
    for (const [event, value] of counts) {
      if (value <= 0) continue;
      this.metrics.addMetric(DELIVERY_METRICS[event], MetricUnit.Count, value);
      any = true;
    }
    if (!any) return;
    this.metrics.addDimension(DESTINATION_DIMENSION, destination);
    for (const [key, value] of Object.entries(properties)) this.metrics.addMetadata(key, value as string);
    this.metrics.publishStoredMetrics();
  }

  traversalCut(): void {
    this.metrics.singleMetric().addMetric(TRAVERSAL_CUT_METRIC, MetricUnit.Count, 1);
  }
}
