import * as z from 'zod';
import { extractClickIds } from '../core/click-ids';
import { catalogueOf, destinationsOf } from '../config/destinations';
import { lateReportSeconds } from '../core/late-reports';
import { addSeconds, epochSecondsCeil, systemClock } from '../core/time';
import { parseInput } from '../core/validation';
import { visitorKeys, visitorWithAtLeast } from '../core/visitor';
import { ApiDeps, NO_CONSENT, occurredAt } from './deps';
import { ApiHandler, jsonResponse, route } from './http';
import { consentSchema, identifiersSchema, isoTimestamp } from './schemas';

export const captureSchema = z.strictObject({
  visitor: visitorWithAtLeast(1),
  landingUrl: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).max(8192, 'must be at most 8192 characters').optional(),
  params: z
    .record(z.string().min(1).max(128), z.string().max(2048))
    .refine((r) => Object.keys(r).length <= 100, 'at most 100 parameters')
    .optional(),
  identifiers: identifiersSchema.optional(),
  occurredAt: isoTimestamp.optional(),
  consent: consentSchema.optional(),
});

/** POST /v1/clicks: stores every known click id of a landing under each visitor key, in one batch write. */
export function createCaptureHandler(deps: Pick<ApiDeps, 'config' | 'store' | 'apiKeys' | 'logger' | 'clock'>): ApiHandler {
  const clock = deps.clock ?? systemClock;
  const { store, logger } = deps;
  const catalogue = catalogueOf(destinationsOf(deps.config));
  const grace = lateReportSeconds(deps.config);

  return route({ logger, apiKeys: deps.apiKeys, body: true }, async ({ body }) => {
    const request = parseInput(captureSchema, body);
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
    logger.info('Clicks captured', { stored: live.map((f) => f.entry.key), expired: expired.map((f) => f.entry.key), superseded });
    const describe = (f: (typeof found)[number]) => ({ param: f.entry.key, vendors: Object.keys(f.entry.windows), expiresAt: f.expiresAt.toISOString() });
    return jsonResponse(live.length ? 201 : 200, { stored: live.map(describe), ...(expired.length ? { expired: expired.map(describe) } : {}) });
  });
}
