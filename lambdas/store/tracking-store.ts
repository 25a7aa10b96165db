import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeliveryStore } from './delivery-store';
import { OrderStore } from './order-store';
import { VisitorStore } from './visitor-store';

export type { ClickToStore, SavedClicks } from './visitor-store';
export type { NewDelivery, NewOrder, RecordedPlan } from './order-store';
export type { OrderView } from './order-partition';
export type { DeliveryClaim, DeliveryUpdate, RecordedOutcome } from './delivery-store';
export { UNSETTLED_STATUSES } from './unsettled';
export type { UnsettledCursor, UnsettledDelivery, UnsettledPage, UnsettledQuery, UnsettledStatus } from './unsettled';

/**
 * The data layer as the handlers take it: every read and write of click records, visitor links, orders and delivery
 * status, each handed to the store of its aggregate –
 *
 * - visitor-store.ts: click records and visitor links (`VIS#…` partitions);
 * - order-store.ts: order items, and an order partition read whole (order-partition.ts);
 * - delivery-store.ts: delivery records, and the unsettled-deliveries index over them (unsettled.ts).
 *
 * Key schema and access patterns: docs/DATA-MODEL.md.
 */
export class TrackingStore {
  readonly visitors: VisitorStore;
  readonly orders: OrderStore;
  readonly deliveries: DeliveryStore;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.visitors = new VisitorStore(db, tableName);
    this.orders = new OrderStore(db, tableName);
    this.deliveries = new DeliveryStore(db, tableName);
  }

  saveClicks(...args: Parameters<VisitorStore['saveClicks']>) {
    return this.visitors.saveClicks(...args);
  }
  linkVisitorKeys(...args: Parameters<VisitorStore['linkVisitorKeys']>) {
    return this.visitors.linkVisitorKeys(...args);
  }
  clicksForVisitor(...args: Parameters<VisitorStore['clicksForVisitor']>) {
    return this.visitors.clicksForVisitor(...args);
  }
  attributionInputs(...args: Parameters<VisitorStore['attributionInputs']>) {
    return this.visitors.attributionInputs(...args);
  }
  eraseVisitor(...args: Parameters<VisitorStore['eraseVisitor']>) {
    return this.visitors.eraseVisitor(...args);
  }

  createOrder(...args: Parameters<OrderStore['createOrder']>) {
    return this.orders.createOrder(...args);
  }
  getOrder(...args: Parameters<OrderStore['getOrder']>) {
    return this.orders.getOrder(...args);
  }
  orderRecorded(...args: Parameters<OrderStore['orderRecorded']>) {
    return this.orders.orderRecorded(...args);
  }
  recordedPlan(...args: Parameters<OrderStore['recordedPlan']>) {
    return this.orders.recordedPlan(...args);
  }
  getCancellableOrder(...args: Parameters<OrderStore['getCancellableOrder']>) {
    return this.orders.getCancellableOrder(...args);
  }
  markOrderCancelled(...args: Parameters<OrderStore['markOrderCancelled']>) {
    return this.orders.markOrderCancelled(...args);
  }

  claimDelivery(...args: Parameters<DeliveryStore['claimDelivery']>) {
    return this.deliveries.claimDelivery(...args);
  }
  recordDelivery(...args: Parameters<DeliveryStore['recordDelivery']>) {
    return this.deliveries.recordDelivery(...args);
  }
  recordProgress(...args: Parameters<DeliveryStore['recordProgress']>) {
    return this.deliveries.recordProgress(...args);
  }
  releaseDelivery(...args: Parameters<DeliveryStore['releaseDelivery']>) {
    return this.deliveries.releaseDelivery(...args);
  }
  reopenFailed(...args: Parameters<DeliveryStore['reopenFailed']>) {
    return this.deliveries.reopenFailed(...args);
  }
  cancelDelivery(...args: Parameters<DeliveryStore['cancelDelivery']>) {
    return this.deliveries.cancelDelivery(...args);
  }
  requestCancellation(...args: Parameters<DeliveryStore['requestCancellation']>) {
    return this.deliveries.requestCancellation(...args);
  }
  recordCancellationUnsupported(...args: Parameters<DeliveryStore['recordCancellationUnsupported']>) {
    return this.deliveries.recordCancellationUnsupported(...args);
  }
  listUnsettled(...args: Parameters<DeliveryStore['listUnsettled']>) {
    return this.deliveries.listUnsettled(...args);
  }
}
