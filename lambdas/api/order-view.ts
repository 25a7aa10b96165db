import { saleDestinationOf } from '../config/destination-ids';
import type { TrackingConfig } from '../config/schema';
import type { DeliveryState } from '../core/delivery';
import { foldCancellationCalls } from '../store/cancellation-records';
import type { OrderView } from '../store/tracking-store';

/**
 * An order as the API shows it (status route, repeated conversions, cancellations): the deliveries in configuration
 * order, each sale's cancellation call folded into it as `cancellation`, the exclusive groups' winners, and the
 * order's cancellation.
 */
export function presentOrder(
  view: OrderView,
  config: Partial<Pick<TrackingConfig, 'postbacks'>>,
  inConfigOrder: (deliveries: DeliveryState[]) => DeliveryState[],
): Record<string, unknown> {
  const deliveries = foldCancellationCalls(view.deliveries, (id) => saleDestinationOf(id, config), view.cancellation !== undefined);
  return {
    orderId: view.orderId,
    receivedAt: view.receivedAt,
    ...(view.cancellation ? { cancellation: view.cancellation } : {}),
    deliveries: inConfigOrder(deliveries),
    ...(view.groups ? { groups: view.groups } : {}),
    ...(view.attributionNote ? { attributionNote: view.attributionNote } : {}),
  };
}
