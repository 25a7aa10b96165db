import * as z from 'zod/mini';
import { lazy } from '../../core/lazy';
import { classifyByStatusAndBody } from '../classify';
import { planOnClickId } from '../click-id-plan';
import type { VendorAdapter } from '../types';
import { postbackClickIds } from './click-ids';
import { PostbackConfig, postbackConfigSchema } from './config';
import { postbackRequests } from './mapping';
import { inspectPostbackRequest } from './sandbox';
import { inspectNotBundled } from '../sandbox-inspect';
import { POSTBACK_DOCUMENT } from './types';

export const contextSchema = /* @__PURE__ */ lazy(() => z.strictObject({ clickId: z.string() }));
export type PostbackContext = z.infer<ReturnType<typeof contextSchema>>;

/**
 * The adapter behind every `postbacks.<name>` instance; each instance is a destination of its own (queue, DLQ,
 * sender, alarm), named by its key in the configuration.
 */
export const postback: VendorAdapter<PostbackConfig, PostbackContext> = {
  id: 'postback',
  displayName: 'Generic postback',
  documentation: POSTBACK_DOCUMENT,
  configSchema: postbackConfigSchema,
  contextSchema,

  clickIds: postbackClickIds,

  plan: ({ config, click }) => planOnClickId(click, config.clickIdParam),

  buildRequests: ({ order, config, context, channel }) => postbackRequests(order, config, context.clickId, channel),

  // Networks answer 200 with an error in the body often enough that the body is read too.
  classify: (response) => classifyByStatusAndBody(response, 'Postback'),

  inspect: process.env.TRACKING_SANDBOX_BUNDLED === 'false' ? inspectNotBundled : inspectPostbackRequest,

  capabilities: {
    cancellationCall: (config) => config.cancel !== undefined,
    channelFields: postbackChannelFields,
    reportingWindowDays: (config) => config.reportWithinDays,
  },
};

/** The template fields of a postback that use `{channel}` (`url`, `cancel.body`, …). */
function postbackChannelFields(config: PostbackConfig): string[] {
  const fields: Array<[string, string | undefined]> = [
    ['url', config.url],
    ['body', config.body],
    ['cancel.url', config.cancel?.url],
    ['cancel.body', config.cancel?.body],
  ];
  return fields.filter(([, template]) => template?.includes('{channel}')).map(([field]) => field);
}
