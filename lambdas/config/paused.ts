import { queuedDestinationsOf } from './cancellation';
import type { PauseSetting, TrackingConfig } from './schema';

/**
 * The queued destinations whose sender is paused (`vendors.<v>.paused`, `postbacks.<p>.paused`): the stack disables
 * their event source mappings, the local stack does not poll their queues, the status route shows their waiting
 * deliveries as `paused`. A postback's flag pauses its cancellation calls (`<p>-cancel`) too: the network is not
 * called at all while it is paused.
 */
export function pausedDestinationIds(config: Pick<TrackingConfig, 'vendors'> & Partial<Pick<TrackingConfig, 'postbacks'>>): Set<string> {
  return new Set(queuedDestinationsOf(config).filter((d) => (d.config as PauseSetting | undefined)?.paused === true).map((d) => d.id));
}

/** Whether the sender of `destinationId` is paused. */
export function isPaused(config: Pick<TrackingConfig, 'vendors'> & Partial<Pick<TrackingConfig, 'postbacks'>>, destinationId: string): boolean {
  return pausedDestinationIds(config).has(destinationId);
}
