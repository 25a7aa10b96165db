import type * as z from 'zod/mini';
import { extractClickIds } from '../core/click-ids';
import { clickIdCatalogueOf } from '../config/destination-ids';
import { lateReportSeconds } from '../core/late-reports';
import { addSeconds, epochSecondsCeil, systemClock } from '../core/time';
import { lazy } from '../core/lazy';
import { parseInput } from '../core/validation';
import { visitorKeys, visitorWithAtLeast } from '../core/visitor';
import { zod } from '../core/zod-mini';
import type { SavedClicks, TrackingStore } from '../store/tracking-store';
import { ApiDeps, NO_CONSENT, occurredAt } from './deps';
import { ApiHandler, jsonResponse, route } from './http';
import { commonConsent, commonVisitor, consentSchema, identifiersSchema, isObject, isoTimestamp } from './schemas';
import { debugEnabled } from '../observability/logger';

/**
 * The request body of POST /v1/clicks, as a zod schema: the definition of what is accepted, and the source of every
 * error message. Built on first use: a capture whose body passes `commonCapture` never needs it.
 */
export const captureSchema = /* @__PURE__ */ lazy(() => {
  const z = zod();
  return z.strictObject({
    visitor: visitorWithAtLeast(1),
    landingUrl: z.optional(
      z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).check(z.maxLength(MAX_LANDING_URL, `must be at most ${MAX_LANDING_URL} characters`)),
    ),
    params: z.optional(
      z
        .record(z.string().check(z.minLength(1), z.maxLength(MAX_PARAM_NAME)), z.string().check(z.maxLength(MAX_PARAM_VALUE)))
        .check(z.refine((r) => Object.keys(r).length <= MAX_PARAMS, `at most ${MAX_PARAMS} parameters`)),
    ),
    identifiers: z.optional(identifiersSchema()),
    occurredAt: z.optional(isoTimestamp()),
    consent: z.optional(consentSchema()),
  });
});
export type CaptureRequest = z.output<ReturnType<typeof captureSchema>>;

const MAX_LANDING_URL = 8192;
const MAX_PARAM_NAME = 128;
const MAX_PARAM_VALUE = 2048;
const MAX_PARAMS = 100;

/**
 * The common capture – a visitor, a landing URL, query parameters, consent – accepted without zod: per request this
 * is a fraction of a schema walk, and the schema need not be built at all. It accepts only bodies `captureSchema`
 * accepts, and returns what the schema would (same values, same key order); anything else (a bad field, or
 * `identifiers` and `occurredAt`, which it leaves to the schema) returns undefined, and the schema decides and names
 * the fields. test/unit/capture-validation.test.ts compares the two on generated bodies.
 */
export function commonCapture(body: unknown): CaptureRequest | undefined {
  if (!isObject(body)) return undefined;
  for (const key in body) if (key !== 'visitor' && key !== 'landingUrl' && key !== 'params' && key !== 'consent') return undefined;
  const visitor = commonVisitor(body.visitor, 1);
  if (!visitor) return undefined;
  const request: CaptureRequest = { visitor };
  if ('landingUrl' in body) {
    if (!isCommonLandingUrl(body.landingUrl)) return undefined;
    request.landingUrl = body.landingUrl;
  }
  if ('params' in body) {
    const params = commonParams(body.params);
    if (!params) return undefined;
    request.params = params;
  }
  if ('consent' in body) {
    const consent = commonConsent(body.consent);
    if (!consent) return undefined;
    request.consent = consent;
  }
  return request;
}

/**
 * An absolute http(s) URL zod's `z.url({ protocol })` takes unchanged: nothing for it to trim, no tab or line break
 * for it to strip, `http://` or `https://` spelled out, and a URL the WHATWG parser accepts with that protocol.
 */
function isCommonLandingUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_LANDING_URL) return false;
  if (!/^https?:\/\//i.test(value) || /[\t\n\r]/.test(value) || value.trim() !== value) return false;
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:');
}

function commonParams(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const params: Record<string, string> = {};
  let count = 0;
  for (const key in value) {
    const param = value[key];
    // `__proto__` (which zod's record drops) and every other doubt go to the schema.
    if (key === '__proto__' || key.length < 1 || key.length > MAX_PARAM_NAME || typeof param !== 'string' || param.length > MAX_PARAM_VALUE) return undefined;
    if (++count > MAX_PARAMS) return undefined;
    params[key] = param;
  }
  return params;
}

/** What capture needs of the data layer (a VisitorStore has it): the write, and how many clicks an older capture left alone. */
type CaptureStore = { saveClicks: (...args: Parameters<TrackingStore['saveClicks']>) => Promise<Pick<SavedClicks, 'superseded'>> };

/** POST /v1/clicks: stores every known click id of a landing under each visitor key, in one batch write. */
export function createCaptureHandler(deps: Pick<ApiDeps, 'config' | 'apiKeys' | 'logger' | 'clock'> & { store: CaptureStore }): ApiHandler {
  const clock = deps.clock ?? systemClock;
  const { store, logger } = deps;
  const catalogue = clickIdCatalogueOf(deps.config);
  const grace = lateReportSeconds(deps.config);

  return route({ logger, apiKeys: deps.apiKeys, body: true }, async ({ body }) => {
    const request = commonCapture(body) ?? parseInput(captureSchema(), body);
    if (request.consent?.tracking === false) return jsonResponse(200, { stored: [], consent: NO_CONSENT });
    const now = clock();
    const at = occurredAt(request.occurredAt, now);
    // expiresAt: the end of the click's longest window. The record is kept `lateReportHours` longer, so that an order
    // placed inside the window and reported late still finds it.
    const found = extractClickIds(request, catalogue).map((f) => {
      const expiresAt = addSeconds(at, f.entry.retentionSeconds);
      return { ...f, expiresAt, keptUntil: addSeconds(expiresAt, grace) };
    });
    // A click past its window and the grace can never be attributed, not even by a late report: not stored, but reported.
    const live = found.filter((f) => f.keptUntil > now);
    const expired = found.filter((f) => f.keptUntil <= now);
    // Per visitor key and click id the newest occurredAt wins, whatever order captures arrive in (conditional writes).
    const { superseded } = live.length
      ? await store.saveClicks(
          visitorKeys(request.visitor),
          live.map((f) => ({ key: f.entry.key, value: f.value, occurredAt: at, expiresAt: epochSecondsCeil(f.keptUntil) })),
        )
      : { superseded: 0 };
    // The most frequent call of all: its line is DEBUG (docs/INFRASTRUCTURE.md, "Logs"); the access log has the request.
    if (debugEnabled(logger)) logger.debug('Clicks captured', { stored: live.map((f) => f.entry.key), expired: expired.map((f) => f.entry.key), superseded });
    const describe = (f: (typeof found)[number]) => ({ param: f.entry.key, vendors: Object.keys(f.entry.windows), expiresAt: f.expiresAt.toISOString() });
    return jsonResponse(live.length ? 201 : 200, { stored: live.map(describe), ...(expired.length ? { expired: expired.map(describe) } : {}) });
  });
}
