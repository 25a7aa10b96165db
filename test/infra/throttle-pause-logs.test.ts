/**
 * Infrastructure of sections "throttling that protects sales", "pause a destination" and "logs that join up": the
 * stage's route throttles from `api.throttle`, the 429 alarm that leaves captures out, the access log's integration
 * request id, and `paused` destinations whose event source mappings are disabled while their queues keep sales for
 * 14 days.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { API_THROTTLE } from '../../lambdas/contract/shape';
import { DEFAULT_API_THROTTLE } from '../../lambdas/contract/throttle';
import { ACCESS_LOG_FIELDS } from '../../lib/constructs/tracking-api';
import { BACKLOG_ALARM, PAUSED_BACKLOG_ALARM_SECONDS } from '../../lib/constructs/vendor-delivery';
import { TrackingStack } from '../../lib/tracking-stack';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;

const VENDORS = {
  kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' },
  klevu: { apiKey: 'klevu-1234567890' },
};
const POSTBACKS = {
  awin: {
    clickIdParam: 'awc',
    url: 'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}',
    cancel: { url: 'https://www.awin1.com/cancel.php?ref={order.orderId}' },
  },
};

function synthesise(config: TrackingConfig): { stack: TrackingStack; template: Template } {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new TrackingStack(app, 'ConversionTracking', { config });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

let configured: { stack: TrackingStack; template: Template };
let defaults: { stack: TrackingStack; template: Template };

beforeAll(() => {
  configured = synthesise(
    parseConfig({
      vendors: { kelkoo: { ...VENDORS.kelkoo, paused: true }, klevu: VENDORS.klevu },
      postbacks: { awin: { ...POSTBACKS.awin, paused: true } },
      api: {
        throttle: {
          capture: { rateLimit: 40, burstLimit: 80 },
          conversion: { rateLimit: 60, burstLimit: 120 },
          default: { rateLimit: 150, burstLimit: 300 },
        },
      },
    }),
  );
  defaults = synthesise(parseConfig({ vendors: VENDORS, postbacks: POSTBACKS }));
});

function stageOf(template: Template): { Properties: Record<string, any>; DependsOn?: string[] } {
  const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
  expect(stages).toHaveLength(1);
  return stages[0] as { Properties: Record<string, any>; DependsOn?: string[] };
}

function routeIdOf(template: Template, routeKey: string): string {
  const [id] = Object.entries(template.findResources('AWS::ApiGatewayV2::Route')).find(([, route]) => route.Properties.RouteKey === routeKey)!;
  return id;
}

describe('route throttles', () => {
  it('gives captures, conversions and cancellations route settings of their own from api.throttle, the rest the stage default', () => {
    const { Properties } = stageOf(configured.template);
    expect(Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 150, ThrottlingBurstLimit: 300 });
    expect(Properties.RouteSettings).toEqual({
      'POST /v1/clicks': { ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 },
      'POST /v1/conversions': { ThrottlingRateLimit: 60, ThrottlingBurstLimit: 120 },
      'POST /v1/conversions/{orderId}/cancellation': { ThrottlingRateLimit: 60, ThrottlingBurstLimit: 120 },
    });
  });

  it('caps captures below the stage default without api.throttle, and gives orders the default on their own routes', () => {
    const { Properties } = stageOf(defaults.template);
    expect(Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit });
    expect(Properties.RouteSettings['POST /v1/clicks']).toEqual({
      ThrottlingRateLimit: DEFAULT_API_THROTTLE.capture.rateLimit,
      ThrottlingBurstLimit: DEFAULT_API_THROTTLE.capture.burstLimit,
    });
    expect(DEFAULT_API_THROTTLE.capture.rateLimit).toBeLessThan(API_THROTTLE.rateLimit);
    expect(Object.keys(Properties.RouteSettings).sort()).toEqual(['POST /v1/clicks', 'POST /v1/conversions', 'POST /v1/conversions/{orderId}/cancellation']);
  });

  it('creates the stage after the routes its settings name (API Gateway refuses a route key it does not know)', () => {
    const stage = stageOf(configured.template);
    for (const routeKey of Object.keys(stage.Properties.RouteSettings)) expect(stage.DependsOn).toContain(routeIdOf(configured.template, routeKey));
  });

  it("leaves the capture route out of the 429 alarm's count: its 429s are the cap working", () => {
    const filters = Object.values(configured.template.findResources('AWS::Logs::MetricFilter'));
    const throttled = filters.filter((f) => f.Properties.MetricTransformations[0].MetricName === 'ApiThrottledRequests');
    expect(throttled).toHaveLength(1);
    expect(throttled[0]!.Properties.FilterPattern).toBe('{ ($.status = "429") && ($.path != "/v1/clicks") }');
  });
});

describe('access log', () => {
  it("holds API Gateway's request id, which the function's lines carry as api_request_id, and not the invocation's, which they repeat", () => {
    const format = JSON.parse(stageOf(configured.template).Properties.AccessLogSettings.Format as string) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId' });
    expect(Object.values(format).filter((value) => value.includes('$context.integration.requestId'))).toEqual([]);
    expect(format).toEqual(ACCESS_LOG_FIELDS);
  });
});

describe('paused destinations', () => {
  const mappingOf = (s: typeof configured, destination: string) => {
    const senderId = logicalId(s.stack, s.stack.deliveries.get(destination)!.sender);
    const mappings = Object.values(s.template.findResources('AWS::Lambda::EventSourceMapping')).filter((m) => m.Properties.FunctionName.Ref === senderId);
    expect(mappings).toHaveLength(1);
    return mappings[0]!.Properties as { Enabled?: boolean };
  };

  it("disable the sender's event source mapping of a paused vendor, of a paused postback and of its cancellation calls", () => {
    expect(mappingOf(configured, 'kelkoo').Enabled).toBe(false);
    expect(mappingOf(configured, 'awin').Enabled).toBe(false);
    expect(mappingOf(configured, 'awin-cancel').Enabled).toBe(false);
    expect(mappingOf(configured, 'klevu').Enabled).toBe(true);
    for (const id of ['kelkoo', 'klevu', 'awin', 'awin-cancel']) expect(mappingOf(defaults, id).Enabled).toBe(true);
  });

  it('keep their sales on the queue for 14 days, as every delivery queue and dead-letter queue does', () => {
    const queues = Object.values(configured.template.findResources('AWS::SQS::Queue'));
    expect(queues.length).toBe(2 * 4);
    for (const queue of queues) expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
  });

  it('move the backlog alarm to two days before the retention ends, instead of firing for as long as the pause lasts', () => {
    const thresholdOf = (destination: string) =>
      configured.template.toJSON().Resources[logicalId(configured.stack, configured.stack.deliveries.get(destination)!.backlogAlarm)].Properties.Threshold;
    expect(thresholdOf('kelkoo')).toBe(PAUSED_BACKLOG_ALARM_SECONDS);
    expect(thresholdOf('awin-cancel')).toBe(PAUSED_BACKLOG_ALARM_SECONDS);
    expect(thresholdOf('klevu')).toBe(BACKLOG_ALARM.defaultMinutes * 60);
    expect(PAUSED_BACKLOG_ALARM_SECONDS).toBeLessThan(14 * 86_400);
  });
});
