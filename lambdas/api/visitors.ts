import type { ClickIdCatalogue } from '../core/click-ids';
import { clickIdCatalogueOf } from '../config/destination-ids';
import { lateReportSeconds } from '../core/late-reports';
import { addSeconds, epochSecondsCeil, SECONDS_PER_DAY, systemClock } from '../core/time';
import { lazy } from '../core/lazy';
import { parseInput } from '../core/validation';
import { Visitor, visitorKeys, visitorWithAtLeast } from '../core/visitor';
import { zod } from '../core/zod-mini';
import { ApiDeps, NO_CONSENT, StoreWith } from './deps';
import { ApiHandler, jsonResponse, route } from './http';
import { commonConsent, commonVisitor, consentSchema, isObject } from './schemas';

/** The request bodies, as zod schemas: what is accepted, and every error message. Built on first use (commonIdentify). */
export const identifySchema = /* @__PURE__ */ lazy(() =>
  zod().strictObject({
    visitor: visitorWithAtLeast(2),
    consent: zod().optional(consentSchema()),
  }),
);

export const eraseSchema = /* @__PURE__ */ lazy(() =>
  zod().strictObject({
    visitor: visitorWithAtLeast(1),
  }),
);

/**
 * An identify body checked without zod: what `identifySchema` accepts, as it returns it, or undefined to leave the
 * body to the schema (see commonVisitor). test/unit/capture-validation.test.ts compares the two.
 */
export function commonIdentify(body: unknown): { visitor: Visitor; consent?: { tracking: boolean } } | undefined {
  if (!isObject(body)) return undefined;
  for (const key in body) if (key !== 'visitor' && key !== 'consent') return undefined;
  const visitor = commonVisitor(body.visitor, 2);
  if (!visitor) return undefined;
  if (!('consent' in body)) return { visitor };
  const consent = commonConsent(body.consent);
  return consent ? { visitor, consent } : undefined;
}

/** An erase body checked without zod, as commonIdentify. */
export function commonErase(body: unknown): { visitor: Visitor } | undefined {
  if (!isObject(body)) return undefined;
  for (const key in body) if (key !== 'visitor') return undefined;
  const visitor = commonVisitor(body.visitor, 1);
  return visitor ? { visitor } : undefined;
}

/**
 * Visitor links live as long as the longest attribution window after the identify that last made them, plus the grace
 * for late reports (added by the caller). That is the bound on a returning user's cost: a link is never dropped for
 * the number of links a key has, only for its age. A shop that identifies at every login renews its links.
 */
function linkLifetimeSeconds(catalogue: ClickIdCatalogue): number {
  return Math.max(SECONDS_PER_DAY, ...[...catalogue.values()].map((e) => e.retentionSeconds));
}

type VisitorDeps = Pick<ApiDeps, 'config' | 'apiKeys' | 'logger' | 'clock'> & StoreWith<'linkVisitorKeys' | 'eraseVisitor'>;

/** POST /v1/identify: links the keys so that each resolves the click ids held by any of them. */
export function createIdentifyHandler(deps: Omit<VisitorDeps, 'store'> & StoreWith<'linkVisitorKeys'>): ApiHandler {
  const clock = deps.clock ?? systemClock;
  const lifetime = linkLifetimeSeconds(clickIdCatalogueOf(deps.config)) + lateReportSeconds(deps.config);
  return route({ logger: deps.logger, apiKeys: deps.apiKeys, body: true }, async ({ body }) => {
    const request = commonIdentify(body) ?? parseInput(identifySchema(), body);
    if (request.consent?.tracking === false) return jsonResponse(200, { linked: 0, consent: NO_CONSENT });
    const keys = visitorKeys(request.visitor);
    await deps.store.linkVisitorKeys(keys, epochSecondsCeil(addSeconds(clock(), lifetime)));
    return jsonResponse(200, { linked: keys.length });
  });
}

/** DELETE /v1/visitors: erases the keys' click records and links now instead of waiting for their expiry. */
export function createEraseHandler(deps: Pick<VisitorDeps, 'apiKeys' | 'logger'> & StoreWith<'eraseVisitor'>): ApiHandler {
  return route({ logger: deps.logger, apiKeys: deps.apiKeys, body: true }, async ({ body }) => {
    const request = commonErase(body) ?? parseInput(eraseSchema(), body);
    const erased = await deps.store.eraseVisitor(visitorKeys(request.visitor));
    deps.logger.info('Visitor erased', { records: erased });
    return jsonResponse(200, { erased });
  });
}
