import * as z from 'zod';
import { postbackConfigSchema } from '../vendors/postback/config';
import { POSTBACK_NAME } from '../vendors/postback/types';
import { VENDOR_IDS, vendorAdapters, VendorId } from '../vendors/registry';
import type { VendorAdapter } from '../vendors/types';
import { CAPACITY_KEYS, CapacitySetting, capacitySchema, capacitySettingSchema } from './capacity';
import { cancelIssues } from './cancellation';
import { extractSecretReferences, secretFieldsSchema } from './credentials';
import { destinationIdsOf } from './destination-ids';
import { destinationsOf } from './destinations';
import { clickIdKey } from '../core/click-ids';
import { attributionSchema, exclusiveIssues } from '../core/exclusive';
import { DEFAULT_LATE_REPORT_HOURS, MAX_LATE_REPORT_HOURS } from '../core/late-reports';
import { DURATION_FORMAT, parseDuration } from '../core/duration';
import { lazy } from '../core/lazy';
import { SECONDS_PER_DAY } from '../core/time';
import { parseConfigInput } from '../core/validation';

type VendorsShape = { [K in VendorId]: z.ZodOptional<Pausable<ReturnType<(typeof vendorAdapters)[K]['configSchema']>>> };

/** What `paused` adds to a destination's configuration. */
export interface PauseSetting {
  /**
   * The destination's sender takes nothing off its queue: sales wait there (SQS keeps them 14 days) and are sent once
   * the flag is removed and the configuration deployed again. The status route shows them `paused`.
   */
  paused?: boolean;
}

/** A destination's own schema, with `paused` and the capacity keys (lambdas/config/capacity.ts) beside its own keys. */
type Pausable<S extends z.core.$ZodType> = z.ZodType<z.output<S> & PauseSetting & CapacitySetting, unknown>;

/** The keys every vendor and postback takes beside its own: `paused` and the capacity keys. */
const DESTINATION_KEYS = ['paused', ...CAPACITY_KEYS] as const;

/**
 * `paused` and the capacity keys (`concurrency`, `batchSize`, `ratePerSecond`, `parallelCalls`) on any vendor or
 * postback, whatever its own schema (strict objects, some with transforms): they are taken out and checked here, the
 * rest is validated by the destination's schema, whose issues keep their paths (`vendors.kelkoo.comId`), and the keys
 * are put back on the parsed configuration.
 */
export function pausable<S extends z.core.$ZodType>(schema: S): Pausable<S> {
  return z.unknown().transform((raw, ctx): z.output<S> & PauseSetting & CapacitySetting => {
    let rest = raw;
    let own: PauseSetting & CapacitySetting = {};
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      const given: Record<string, unknown> = {};
      const others: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        if ((DESTINATION_KEYS as readonly string[]).includes(key)) given[key] = value;
        else others[key] = value;
      }
      if (Object.keys(given).length) {
        const { paused, ...capacity } = given;
        const checked = z.strictObject({ paused: z.boolean({ error: 'must be true or false' }).optional() }).safeParse(paused === undefined ? {} : { paused });
        const sized = z.safeParse(capacitySettingSchema(), capacity);
        if (checked.success && sized.success) own = { ...checked.data, ...sized.data };
        for (const issue of [...(checked.error?.issues ?? []), ...(sized.error?.issues ?? [])]) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
        rest = others;
      }
    }
    const parsed = z.safeParse(schema, rest);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
      return z.NEVER;
    }
    const config = parsed.data as z.output<S> & PauseSetting & CapacitySetting;
    const defined = Object.fromEntries(Object.entries(own).filter(([, value]) => value !== undefined));
    return Object.keys(defined).length ? { ...config, ...defined } : config;
  });
}

/** Built on first use: the Lambda functions receive a configuration validated at synthesis and never build it. */
export const deliverySchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    /**
     * The fewest vendor attempts before a delivery may be dead-lettered (with `retryFor`, both must be spent); also
     * the delivery queue's maxReceiveCount, which AWS advises to keep at 5 or more on a Lambda function's SQS source.
     */
    maxAttempts: z
      .number()
      .int()
      .min(MIN_MAX_ATTEMPTS, `must be at least ${MIN_MAX_ATTEMPTS}: it is the delivery queue's maxReceiveCount, which AWS advises to keep at 5 or more for Lambda`)
      .max(MAX_RECEIVE_COUNT, `must be at most ${MAX_RECEIVE_COUNT}, SQS's highest maxReceiveCount`)
      .default(MIN_MAX_ATTEMPTS),
    /**
     * The retry horizon: how long after its first attempt a delivery is still retried before it is dead-lettered.
     * At most 13 days, a day inside the 14 days SQS keeps a message.
     */
    retryFor: durationSchema(0, MAX_RETRY_FOR_SECONDS, '13d').default(DEFAULT_RETRY_FOR),
    /** First retry delay; each further retry doubles it (with jitter), up to `maxRetryDelay`. 0 retries at once (tests). */
    retryBaseSeconds: z.number().min(0).max(3600).default(30),
    /** The longest wait between two attempts; at most 15 minutes, SQS's longest message delay. */
    maxRetryDelay: durationSchema(1, MAX_RETRY_DELAY_SECONDS, '15m').default(DEFAULT_MAX_RETRY_DELAY),
    /** Per vendor call. */
    timeoutMs: z.number().int().min(100).max(30_000).default(5000),
    /** Per destination, sent ÷ queued over 24 hours below this raises the delivery-ratio alarm. */
    minDeliveryRatio: z.number().min(0).max(1).default(0.95),
    /**
     * Per destination, sales queued over 24 hours below which the delivery-ratio alarm does not judge. Absent: 20, the
     * smallest volume at which one sale still retrying cannot take the ratio under the default 0.95.
     */
    minDeliveryRatioVolume: z.number().int().min(1).max(1_000_000).optional(),
    /**
     * Per delivery queue, the age in minutes of its oldest message above which its backlog alarm fires (a disabled
     * event source, a throttled sender, a stalled vendor). Absent: 15. At most 14 days, SQS's retention.
     */
    backlogAlarmMinutes: z.number().int().min(1).max(14 * 24 * 60).optional(),
  }).superRefine((delivery, ctx) => {
    // Without a delay nothing but the calls' own time separates two attempts: a horizon would be a loop on the vendor.
    if (delivery.retryBaseSeconds === 0 && parseDuration(delivery.retryFor) !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['retryBaseSeconds'],
        message: 'must be above 0 with a retry horizon: 0 retries at once, which only retryFor "0s" allows',
      });
    }
  }),
);

/** AWS's advice for the maxReceiveCount of a Lambda function's SQS source, and so the fewest attempts allowed. */
export const MIN_MAX_ATTEMPTS = 5;
/** SQS's highest maxReceiveCount. */
export const MAX_RECEIVE_COUNT = 1000;
/** The default retry horizon: a day, as EventBridge retries. */
export const DEFAULT_RETRY_FOR = '24h';
/** The longest retry horizon: 13 days, a day inside SQS's 14-day retention. */
export const MAX_RETRY_FOR_SECONDS = 13 * SECONDS_PER_DAY;
/**
 * SQS's longest message delay (DelaySeconds, 15 minutes), and so the longest wait between two attempts: a retry waits
 * as a delayed copy of its message (lambdas/store/delivery-queues.ts).
 */
export const MAX_RETRY_DELAY_SECONDS = 900;
export const DEFAULT_MAX_RETRY_DELAY = '15m';

/** A duration (`"90m"`, `"24h"`) between `min` and `max` seconds; `maxText` names the upper bound in messages. */
function durationSchema(min: number, max: number, maxText: string) {
  return z.string().superRefine((text, ctx) => {
    const seconds = parseDuration(text);
    if (seconds === undefined) ctx.addIssue({ code: 'custom', message: `must be a duration: ${DURATION_FORMAT}` });
    else if (seconds > max) ctx.addIssue({ code: 'custom', message: `must be at most ${maxText}` });
    else if (seconds < min) ctx.addIssue({ code: 'custom', message: `must be at least ${min} s` });
  });
}

/**
 * CloudWatch runs at most five actions per alarm state: the stack's own alarm topic and up to four existing topics
 * (PutMetricAlarm, `AlarmActions`: "Maximum number of 5 items").
 */
export const MAX_ALERT_TOPICS = 4;

/** An SNS topic ARN, e.g. `arn:aws:sns:eu-west-1:123456789012:ops-alerts`. */
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** Where the alarms go, besides the alarm topic itself; `alarmEmail` is the shorthand for one address. */
export const alertsSchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    /** Subscribed to the alarm topic by e-mail; each recipient confirms once from the message AWS sends. */
    emails: z.array(z.email()).min(1).optional(),
    /** A Slack channel notified through AWS Chatbot; the workspace is authorised once in the Chatbot console. */
    slack: z
      .strictObject({
        workspaceId: z.string().regex(/^[0-9A-Z]{1,255}$/, 'the Slack workspace id AWS Chatbot shows, e.g. T07ABCDEF12'),
        channelId: z.string().regex(/^[A-Za-z0-9]{1,256}$/, 'the Slack channel id, e.g. C07ABCDEF12 (the end of the channel link)'),
      })
      .optional(),
    /** Existing SNS topics every alarm notifies too (as alarm actions), e.g. an on-call tool's. */
    topicArns: z
      .array(z.string().regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN, arn:aws:sns:<region>:<account>:<name>'))
      .min(1)
      .max(MAX_ALERT_TOPICS, `at most ${MAX_ALERT_TOPICS}: an alarm runs at most five actions, one is the stack's own topic`)
      .optional(),
  }),
);

/** AWS Budgets' largest amount is far above this; a larger figure is a typo (cents for dollars), refused at synth. */
export const MAX_BUDGET_USD = 1_000_000;

/** What API Gateway allows a route at most, per account and region: 10,000 requests per second, bursts of 5,000. */
export const API_GATEWAY_ACCOUNT_LIMITS = { rateLimit: 10_000, burstLimit: 5_000 } as const;

/** One route's throttle, as API Gateway takes it: a token bucket of `burstLimit` requests refilled at `rateLimit` per second. */
export const throttleLimitSchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    /** Steady-state requests per second. */
    rateLimit: z.number().positive().max(API_GATEWAY_ACCOUNT_LIMITS.rateLimit),
    /** Requests answered at once before the steady rate applies. */
    burstLimit: z.number().int().min(1).max(API_GATEWAY_ACCOUNT_LIMITS.burstLimit),
  }),
);

/**
 * The HTTP API's throttles by kind of route (lambdas/contract/throttle.ts says which route is which): `capture` for
 * POST /v1/clicks, `conversion` for the order and its cancellation, `default` for every other route. A key left out
 * keeps its default (DEFAULT_API_THROTTLE there).
 */
export const apiSchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    throttle: z
      .strictObject({
        capture: throttleLimitSchema().optional(),
        conversion: throttleLimitSchema().optional(),
        default: throttleLimitSchema().optional(),
      })
      .optional(),
  }),
);

export const configSchema = /* @__PURE__ */ lazy(() => {
  const vendorsShape = Object.fromEntries(
    Object.entries(vendorAdapters).map(([id, adapter]) => [id, pausable((adapter as VendorAdapter<any, any>).configSchema()).optional()]),
  ) as VendorsShape;
  // A credential written as {"secret": "<name>"} is validated as a placeholder and listed under `secrets`
  // (lambdas/config/credentials.ts): its sender reads it at run time and checks it then.
  return z.preprocess((raw, ctx) => {
    const { input, issues } = extractSecretReferences(raw);
    for (const issue of issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: raw });
    return input;
  }, z.strictObject({
    vendors: z.strictObject(vendorsShape),
    /** Generic postback destinations by name: each a destination of its own, like a built-in vendor. */
    postbacks: z
      .record(
        z
          .string()
          .regex(POSTBACK_NAME, 'postback names are 2–31 lower-case letters, digits or -, starting with a letter')
          .refine((name) => !(VENDOR_IDS as string[]).includes(name), 'a postback may not take the name of a built-in vendor'),
        pausable(postbackConfigSchema()),
      )
      .default({}),
    delivery: deliverySchema().default({
      maxAttempts: MIN_MAX_ATTEMPTS,
      retryFor: DEFAULT_RETRY_FOR,
      retryBaseSeconds: 30,
      maxRetryDelay: DEFAULT_MAX_RETRY_DELAY,
      timeoutMs: 5000,
      minDeliveryRatio: 0.95,
    }),
    /** Shorthand for `alerts.emails: [<address>]`; both may be given. */
    alarmEmail: z.email().optional(),
    /** Where alarms are sent: e-mail addresses, a Slack channel, existing SNS topics. None: a warning at synth. */
    alerts: alertsSchema().optional(),
    /** The HTTP API's route throttles. */
    api: apiSchema().optional(),
    /**
     * A monthly AWS Budget of this stage's tagged cost (lib/constructs/budget.ts): the alert subscribers hear when the
     * month's actual cost passes 80 % and 100 % of `monthlyUsd`. Absent: no budget.
     */
    budget: z.strictObject({ monthlyUsd: z.number().positive().max(MAX_BUDGET_USD) }).optional(),
    /** How long orders and their delivery records are kept. */
    retentionDays: z.number().int().min(1).max(3650).default(400),
    /**
     * The `costCentre` tag on every resource of the stack (lib/tags.ts), beside `service` and `stage`: the merchant's
     * own code for the bill. A tag value: up to 256 letters, digits, spaces and `_ . : / = + - @`.
     */
    costCentre: z
      .string()
      .regex(/^[\p{L}\p{N} _.:/=+\-@]{1,256}$/u, 'must be a tag value: 1 to 256 letters, digits, spaces and _ . : / = + - @')
      .refine((value) => value.trim() === value, 'must not start or end with a space')
      .optional(),
    /**
     * Grace for late reports: a conversion's `occurredAt` may lie this far in the past, and click records and visitor
     * links are kept this much longer than their window so that such a report still finds them.
     */
    lateReportHours: z.number().int().min(1).max(MAX_LATE_REPORT_HOURS).default(DEFAULT_LATE_REPORT_HOURS),
    /**
     * Reserved concurrency of the API functions: `conversion` and `cancellation` keep `reservedConcurrency` a capture
     * storm cannot take, `capture` is held to `maxConcurrency` (lambdas/config/capacity.ts). Absent: nothing reserved.
     */
    capacity: z.optional(capacitySchema()),
    /** Local stack only; deployed keys live in Secrets Manager. */
    local: z
      .strictObject({
        apiKeys: z.array(z.string().min(8)).min(1).optional(),
        /**
         * The local stack's stand-in for Secrets Manager: a JSON object of secret name → value, for the credentials
         * written as {"secret": "<name>"}; relative to the configuration file. Absent: `.local-stack/secrets.json` at the
         * repository root (git-ignored).
         */
        secretsFile: z.string().min(1).optional(),
      })
      .optional(),
    /** Where each credential written as {"secret": "<name>"} goes: filled in from the file, never written in it. */
    secrets: z._default(secretFieldsSchema(), []),
    /**
     * `tracing: true`: active X-Ray tracing with Powertools Tracer – AWS SDK and vendor calls as subsegments annotated
     * with orderId and destination. Default off: Lambda's PassThrough, no tracer loaded.
     */
    observability: z.strictObject({ tracing: z.boolean().default(false) }).default({ tracing: false }),
    /** Exclusive groups: of their members, only the one holding the newest live click wins a sale. */
    attribution: z._default(attributionSchema(), { exclusive: {} }),
  }).superRefine((config, ctx) => {
    const ids = destinationIdsOf(config);
    for (const issue of cancelIssues(config.postbacks)) ctx.addIssue({ code: 'custom', ...issue });
    const byId = new Map(destinationsOf(config).map((d) => [d.id, d]));
    const channelFields = (id: string) => {
      const destination = byId.get(id);
      return destination?.adapter.capabilities?.channelFields?.(destination.config) ?? [];
    };
    const clickIds = (id: string) => {
      const destination = byId.get(id);
      return destination ? destination.adapter.clickIds(destination.config).map((spec) => clickIdKey(spec.source)) : [];
    };
    for (const issue of exclusiveIssues(config.attribution.exclusive, ids, channelFields, clickIds)) ctx.addIssue({ code: 'custom', ...issue });
    // A delivery retried after its order's records expired would find no order, and wait for it to the end.
    if ((parseDuration(config.delivery.retryFor) ?? 0) > config.retentionDays * SECONDS_PER_DAY) {
      ctx.addIssue({ code: 'custom', path: ['delivery', 'retryFor'], message: `must not exceed retentionDays (${config.retentionDays}): the order is kept no longer` });
    }
  }));
});

export type TrackingConfig = z.infer<ReturnType<typeof configSchema>>;
export type DeliverySettings = z.infer<ReturnType<typeof deliverySchema>>;
export type AlertSettings = z.infer<ReturnType<typeof alertsSchema>>;
export type ThrottleLimit = z.infer<ReturnType<typeof throttleLimitSchema>>;
export type ApiSettings = z.infer<ReturnType<typeof apiSchema>>;

/** Validates a configuration object; throws a ConfigurationError naming each bad field (e.g. `vendors.kelkoo.comId`). */
export function parseConfig(raw: unknown): TrackingConfig {
  return parseConfigInput(configSchema(), raw);
}
