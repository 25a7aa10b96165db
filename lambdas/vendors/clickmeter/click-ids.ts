import { ClickIdSpec, queryClickId } from '../../core/click-ids';
import type { ClickmeterConfig } from './config';

/**
 * ClickMeter has no parameter of its own: the merchant chooses which landing-page parameter carries the id (apart
 * from the adapter, see kelkoo/click-ids.ts).
 */
export const clickmeterClickIds = (config: ClickmeterConfig): ClickIdSpec[] => [queryClickId(config.clickIdParam, config.attributionDays)];
