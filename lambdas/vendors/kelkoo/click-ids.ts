import { ClickIdSpec, queryClickId } from '../../core/click-ids';
import type { KelkooConfig } from './config';

/**
 * Kelkoo's click ids. Its own module, apart from the adapter: capture and identify build the click-id catalogue from
 * these alone and so do not bundle the adapter's request building, classification and sandbox checks.
 */
// Kelkoo asks merchants to report Google and Microsoft Ads traffic too, not only its own `kk` clicks.
export const kelkooClickIds = (config: KelkooConfig): ClickIdSpec[] => ['kk', 'gclid', 'msclkid'].map((query) => queryClickId(query, config.attributionDays));
