/**
 * QUALITYCLICK ClickID tracking with a server-to-server call to the merchant's `get_trans.cgi`.
 * Document: shared/vendor-docs/002_db79e9f63b966dbc.txt ("S2S / ClickID Tracking").
 */
export const QUALITYCLICK_DOCUMENT = 'vendor-docs/002_db79e9f63b966dbc.txt';

/** The landing-page parameter the document recommends for the ClickID ("qc_clickid=<% CLICKID %>"); any name may be chosen. */
export const DEFAULT_CLICK_ID_PARAM = 'qc_clickid';

/**
 * "Set a short timeout (3–5 seconds) for the S2S call" – the document's cURL example uses 5 s in total (3 s to
 * connect). The shared sender has one timeout per call, so the upper bound is used; it only ever lowers
 * `delivery.timeoutMs`, never raises it.
 */
export const QUALITYCLICK_TIMEOUT_MS = 5000;

/** Query parameters of `GET get_trans.cgi`, in the order of the document's pixel and cURL examples; `nocheck` last. */
export const QUALITYCLICK_QUERY_ORDER = ['cpid', 'tid', 'clickid', 'produkt', 'umsatz', 'nocheck'] as const;

/** Everything the service always sends: the five parameters of the document's S2S example. */
export const QUALITYCLICK_MANDATORY = ['cpid', 'tid', 'clickid', 'produkt', 'umsatz'] as const;

/**
 * "If you additionally pass the parameters pid, subid or wmid in the tracking pixel, they override the values from
 * the ClickID." The service never knows them better than the ClickID does, so it never sends them.
 */
export const QUALITYCLICK_FORBIDDEN = ['pid', 'subid', 'wmid'] as const;

/** The only value of `nocheck` the document defines ("nocheck=1" skips the partner/product approval check). */
export const NOCHECK_ON = '1';
