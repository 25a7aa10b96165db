import type { ClickIdSpec } from '../../core/click-ids';
import { SECONDS_PER_DAY } from '../../core/time';
import type { KlevuConfig } from './config';

/** Klevu's click id: the visitor's uuid the shop passes as `identifiers.klevu.uuid` (apart from the adapter, see kelkoo/click-ids.ts). */
export const klevuClickIds = (config: KlevuConfig): ClickIdSpec[] => [
  { source: { identifier: { vendor: 'klevu', field: 'uuid' } }, windowSeconds: config.attributionDays * SECONDS_PER_DAY },
];
