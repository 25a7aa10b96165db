import { z } from 'zod';
import { SECONDS_PER_DAY } from '../../core/time';
import { buildUrl, classifyByStatus, excerpt } from '../classify';
import type { DeliveryOutcome, VendorAdapter, VendorResponse } from '../types';
import { ClickmeterConfig, clickmeterConfigSchema } from './config';
import { toPostback } from './mapping';
import { inspectClickmeterRequest } from './sandbox';
import { CLICKMETER_DOCUMENT, CLICKMETER_QUERY_ORDER } from './types';

const contextSchema = z.strictObject({
  /** The `[s2sidentifier]` held for the visitor at conversion time; the sender must not look it up again. */
  clickId: z.string().min(1),
});
type ClickmeterContext = z.infer<typeof contextSchema>;

export const clickmeter: VendorAdapter<ClickmeterConfig, ClickmeterContext> = {
  id: 'clickmeter',
  displayName: 'ClickMeter',
  documentation: CLICKMETER_DOCUMENT,
  configSchema: clickmeterConfigSchema,
  contextSchema,

  // ClickMeter has no parameter of its own: the merchant chooses which landing-page parameter carries the id.
  clickIds: (config) => [{ source: { query: config.clickIdParam }, windowSeconds: config.attributionDays * SECONDS_PER_DAY }],

  plan({ click, config }) {
    const clickId = click(config.clickIdParam);
    if (!clickId) {
      return { deliver: false, reason: `no live ${config.clickIdParam} click identifier (ClickMeter [s2sidentifier]) for this visitor` };
    }
    return { deliver: true, context: { clickId } };
  },

  buildRequests({ order, config, context }) {
    const postback = toPostback(order, config, context.clickId);
    const url = buildUrl(config.endpoint, CLICKMETER_QUERY_ORDER.map((name) => [name, postback[name]] as const));
    return [{ key: 'conversion', method: 'GET', url, headers: {} }];
  },

  classify: classifyClickmeterResponse,

  inspect: inspectClickmeterRequest,
};

/**
 * The document says nothing about ClickMeter's answer, so the status decides (see classifyByStatus), except that a
 * 2xx whose body plainly reports an error is a failure: such a postback was not counted, and resending the same
 * URL would not change that. Anything else in a 2xx body (empty, a pixel, "OK", an HTML page) is success.
 */
export function classifyClickmeterResponse(response: VendorResponse): DeliveryOutcome {
  const outcome = classifyByStatus(response);
  if (outcome.kind !== 'sent') return outcome;
  const reported = reportedError(response.body);
  return reported ? { kind: 'failed', error: `HTTP ${response.status} reporting an error: ${excerpt(reported)}`, vendorStatus: response.status } : outcome;
}

/** Words a plain-text answer starts with when it rejects the call ("ERROR: unknown id", "Invalid clickId", "KO"). */
const ERROR_TEXT = /^(?:error|err|fail(?:ed|ure)?|invalid|ko|not found|bad request)\b/i;
const ERROR_TITLE = /<title[^>]*>([^<]*\b(?:error|not found|invalid|bad request|forbidden)\b[^<]*)<\/title>/i;

/** The error a 2xx body reports, if it clearly reports one; undefined for anything that reads as acceptance. */
function reportedError(body: string): string | undefined {
  const text = body.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    try {
      return jsonError(JSON.parse(text) as unknown) ? text : undefined;
    } catch {
      // Not JSON after all: judged as text below.
    }
  }
  if (text.startsWith('<')) return ERROR_TITLE.exec(text)?.[1]?.trim();
  return ERROR_TEXT.test(text) ? text : undefined;
}

function jsonError(json: unknown): boolean {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return false;
  const body = json as Record<string, unknown>;
  if (body.success === false || body.ok === false) return true;
  if (hasContent(body.error) || hasContent(body.errors) || hasContent(body.errorMessage)) return true;
  return [body.status, body.result].some((v) => typeof v === 'string' && /^(?:error|fail(?:ed|ure)?|ko|invalid)$/i.test(v));
}

function hasContent(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return value === true || (typeof value === 'string' && value.trim() !== '');
}
