import { buildUrl, classifyByStatusAndBody } from '../classify';
import { ClickIdContext, clickIdContextSchema, planOnClickId } from '../click-id-plan';
import type { VendorAdapter } from '../types';
import { clickmeterClickIds } from './click-ids';
import { ClickmeterConfig, clickmeterConfigSchema } from './config';
import { toPostback } from './mapping';
import { inspectClickmeterRequest } from './sandbox';
import { inspectNotBundled } from '../sandbox-inspect';
import { CLICKMETER_DOCUMENT, CLICKMETER_QUERY_ORDER } from './types';

/** The context is the `[s2sidentifier]` held for the visitor at conversion time; the sender must not look it up again. */
export const clickmeter: VendorAdapter<ClickmeterConfig, ClickIdContext> = {
  id: 'clickmeter',
  displayName: 'ClickMeter',
  documentation: CLICKMETER_DOCUMENT,
  configSchema: clickmeterConfigSchema,
  contextSchema: clickIdContextSchema,

  clickIds: clickmeterClickIds,

  plan: ({ click, config }) => planOnClickId(click, config.clickIdParam, ' (ClickMeter [s2sidentifier])'),

  buildRequests({ order, config, context }) {
    const postback = toPostback(order, config, context.clickId);
    const url = buildUrl(config.endpoint, CLICKMETER_QUERY_ORDER.map((name) => [name, postback[name]] as const));
    return [{ key: 'conversion', method: 'GET', url, headers: {} }];
  },

  /**
   * The document says nothing about ClickMeter's answer, so the status decides (see classifyByStatus), except that a
   * 2xx whose body plainly reports an error is a failure: such a postback was not counted, and resending the same
   * URL would not change that. Anything else in a 2xx body (empty, a pixel, "OK", an HTML page) is success.
   */
  classify: (response) => classifyByStatusAndBody(response, 'ClickMeter'),

  inspect: process.env.TRACKING_SANDBOX_BUNDLED === 'false' ? inspectNotBundled : inspectClickmeterRequest,
};
