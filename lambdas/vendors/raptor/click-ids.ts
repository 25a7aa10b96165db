import type { ClickIdSpec } from '../../core/click-ids';
import { SECONDS_PER_DAY } from '../../core/time';
import { RAPTOR_COOKIE_DAYS, RAPTOR_SESSION_SECONDS } from './types';

const YEAR_SECONDS = RAPTOR_COOKIE_DAYS * SECONDS_PER_DAY;

/**
 * coid, sid and ruid live in the shop's own cookies and arrive as `identifiers.raptor.*`; reaid and xuid arrive in the
 * landing page's query string. Windows are the cookie lifetimes the document prescribes. Apart from the adapter, see
 * kelkoo/click-ids.ts.
 */
export const raptorClickIds = (): ClickIdSpec[] => [
  { source: { identifier: { vendor: 'raptor', field: 'coid' } }, windowSeconds: YEAR_SECONDS },
  { source: { identifier: { vendor: 'raptor', field: 'sid' } }, windowSeconds: RAPTOR_SESSION_SECONDS },
  { source: { identifier: { vendor: 'raptor', field: 'ruid' } }, windowSeconds: YEAR_SECONDS },
  { source: { query: 'reaid' }, windowSeconds: YEAR_SECONDS },
  { source: { query: 'xuid' }, windowSeconds: YEAR_SECONDS },
];
