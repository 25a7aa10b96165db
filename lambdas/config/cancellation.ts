import type { TrackingConfig } from './schema';
import type { Destination } from './destinations';
import { destinationsOf } from './destinations';
import { cancelDestinationId } from './destination-ids';
import type { ConfigIssue } from '../core/exclusive';
import { postbackCancel } from '../vendors/postback/cancel';
import type { PostbackConfig } from '../vendors/postback/config';

/**
 * Cancellations (POST /v1/conversions/{orderId}/cancellation): what can be cancelled where. A destination declares
 * a cancellation call only through a `cancel` template (generic postbacks); none of the seed vendors' documents
 * describes one, so for them a cancellation after the sale was sent is recorded as `unsupported`.
 */

export { cancelDestinationId, saleDestinationOf } from './destination-ids';

/** One destination per postback with a `cancel` template, consuming the cancellation calls of that postback. */
export function cancelDestinationsOf(config: Partial<Pick<TrackingConfig, 'postbacks'>>): Destination[] {
  return Object.entries(config.postbacks ?? {})
    .filter(([, postback]) => postback.cancel !== undefined)
    .map(([id, postback]) => ({ id: cancelDestinationId(id), adapter: postbackCancel, config: postback }));
}

/** Every destination with a queue and a sender: the sale destinations, then the cancellation destinations. */
export function queuedDestinationsOf(config: Pick<TrackingConfig, 'vendors'> & Partial<Pick<TrackingConfig, 'postbacks'>>): Destination[] {
  return [...destinationsOf(config), ...cancelDestinationsOf(config)];
}

/** Whether a sale sent to `destination` can be cancelled with a call of its own (its adapter's `cancellationCall`). */
export function hasCancellationCall(destination: Destination): boolean {
  return destination.adapter.capabilities?.cancellationCall?.(destination.config) === true;
}

/** A postback named like another postback's cancellation destination would share its queue and delivery record. */
export function cancelIssues(postbacks: Readonly<Record<string, PostbackConfig>>): ConfigIssue[] {
  return Object.keys(postbacks)
    .filter((id) => postbacks[id]!.cancel !== undefined && postbacks[cancelDestinationId(id)] !== undefined)
    .map((id) => ({ path: ['postbacks', cancelDestinationId(id)], message: `clashes with the cancellation queue of postbacks.${id}; rename one` }));
}
