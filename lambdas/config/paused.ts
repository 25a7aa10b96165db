import { cancelDestinationId } from './destination-ids';
import type { PauseSetting, TrackingConfig } from './schema';

const isPausedEntry = (entry: unknown): boolean => (entry as PauseSetting | undefined)?.paused === true;

/**
 * The queued destinations whose sender is paused (`vendors.<v>.paused`, `postbacks.<p>.paused`): the stack disables
 * their event source mappings, the local stack does not poll their queues, the status route shows their waiting
 * deliveries as `paused`. A postback's flag pauses its cancellation calls (`<p>-cancel`) too: the network is not
 * called at all while it is paused. In the order of queuedDestinationsOf, read from the configuration alone (no adapter).
 */
export function pausedDestinationIds(config: Pick<TrackingConfig, 'vendors'> & Partial<Pick<TrackingConfig, 'postbacks'>>): Set<string> {
  const postbacks = Object.entries(config.postbacks ?? {});
  return new Set([
    ...Object.entries(config.vendors).filter(([, entry]) => entry !== undefined && isPausedEntry(entry)).map(([id]) => id),
    ...postbacks.filter(([, entry]) => isPausedEntry(entry)).map(([id]) => id),
    ...postbacks.filter(([, entry]) => entry.cancel !== undefined && isPausedEntry(entry)).map(([id]) => cancelDestinationId(id)),
  ]);
}

/** Whether the sender of `destinationId` is paused. */
export function isPaused(config: Pick<TrackingConfig, 'vendors'> & Partial<Pick<TrackingConfig, 'postbacks'>>, destinationId: string): boolean {
  return pausedDestinationIds(config).has(destinationId);
}
