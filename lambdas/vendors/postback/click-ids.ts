import { ClickIdSpec, queryClickId } from '../../core/click-ids';
import type { PostbackConfig } from './config';

/** A postback's click id: the landing-page parameter its network names (apart from the adapter, see kelkoo/click-ids.ts). */
export const postbackClickIds = (config: PostbackConfig): ClickIdSpec[] => [queryClickId(config.clickIdParam, config.attributionDays)];
