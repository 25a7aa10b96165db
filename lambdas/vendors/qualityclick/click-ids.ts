import { ClickIdSpec, queryClickId } from '../../core/click-ids';
import type { QualityclickConfig } from './config';

/** QUALITYCLICK's ClickID, from the landing page's query (apart from the adapter, see kelkoo/click-ids.ts). */
export const qualityclickClickIds = (config: QualityclickConfig): ClickIdSpec[] => [queryClickId(config.clickIdParam, config.attributionDays)];
