/**
 * Raptor Smart Advisor tracking service, called server-side (no client-side script).
 * Document: shared/vendor-docs/004_cd37a96655eecff6.txt ("Server-side Tracking").
 */
export const RAPTOR_DOCUMENT = 'vendor-docs/004_cd37a96655eecff6.txt';
export const RAPTOR_PUBLIC_ENDPOINT = 'https://t.raptorsmartadvisor.com';

/** `p1` … `p999`: the customer-specific data parameters listed in Raptor's control panel (p1 is the event type). */
export const PURCHASE_PARAM_NAME = /^p([1-9]\d{0,2})$/;

/**
 * The ids Raptor attaches to every tracking call, in the order of the document's URL format
 * (`…&p999=[p999]&coid=[cookieId]&ruid=[base64UserId]&sid=[sessionId]`); the document gives no position for
 * `reaid` and `xuid`, so they follow.
 */
export const RAPTOR_ID_PARAMS = ['coid', 'ruid', 'sid', 'reaid', 'xuid'] as const;

/** "Must be send at every page request." */
export const RAPTOR_MANDATORY = ['p1', 'coid', 'sid'] as const;

/** Parameters the document names besides p1…p999: the ids above and `am` (recommendation module, item clicks only). */
export const RAPTOR_KNOWN_PARAMS: readonly string[] = [...RAPTOR_ID_PARAMS, 'am'];

/**
 * Lifetimes the document gives for each id, which this service uses as attribution windows.
 * The session cookie is "maximum 20 minutes from the last visit"; every other cookie is kept 1 year.
 */
export const RAPTOR_SESSION_SECONDS = 20 * 60;
export const RAPTOR_COOKIE_DAYS = 365;
