import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { pascalCase } from './naming';
import { API_ROUTES, ApiFunctionName, ApiRoute, functionServing } from '../../lambdas/contract/shape';
import { routeKeyOf, RouteThrottles, routeThrottles } from '../../lambdas/contract/throttle';

/**
 * One JSON object per request, with the fields an operator reads: which request, its path (which names its route, and
 * for a status or cancellation its order), the answer, how long it took, and what failed. Left out as each line is
 * paid for: the invocation's request id (the function's lines carry this line's `requestId` as `api_request_id`, so
 * the request leads to them without it: 62 bytes a line), the route key, the method and protocol (each path is one route's),
 * the response length, the integration's own latency and status (a function error shows in `status` and `error`), and the
 * request's time, which is the log event's own timestamp. Deliberately absent: `$context.identity.sourceIp` and
 * `$context.identity.userAgent` – the service promises that no IP address (nor a fingerprint of the caller) reaches
 * its logs.
 */
export const ACCESS_LOG_FIELDS = {
  // API Gateway's id of the request, which the functions log as `api_request_id`: from this line to its logs.
  requestId: '$context.requestId',
  // The API's id: the dimension of the 429 count the monitoring derives from these lines (API_THROTTLED_METRIC).
  apiId: '$context.apiId',
  // The request's path, which names its route (no two routes share a path) and, for a status or cancellation, its
  // order; the 429 count's filter reads it to leave captures out (captureRoutePaths).
  path: '$context.path',
  status: '$context.status',
  // Milliseconds from the request's arrival to the answer.
  latency: '$context.responseLatency',
  // API Gateway's error, then the integration's (a function that failed or timed out); `- -` when neither failed.
  error: '$context.error.message $context.integrationErrorMessage',
} as const;

export interface TrackingApiProps {
  /** The function serving each API function name of `API_FUNCTIONS`. */
  readonly functions: Record<ApiFunctionName, IFunction>;
  /**
   * The routes to create, each sent to the function serving its handler.
   * @default API_ROUTES
   */
  readonly routes?: readonly ApiRoute[];
  /**
   * The stage's default throttle (steady-state requests per second and burst) and the routes' own: `routeThrottles`
   * of the configuration's `api` (lambdas/contract/throttle.ts).
   * @default routeThrottles(undefined, routes): DEFAULT_API_THROTTLE
   */
  readonly throttles?: RouteThrottles;
  /**
   * How long access logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: RetentionDays;
}

/**
 * The HTTP API: one route per entry of `API_ROUTES`, a `$default` stage with JSON access logs, a default throttle and
 * route throttles of their own for captures, conversions and cancellations (RouteSettings).
 * Requests are authenticated by the handlers (bearer API key checked against Secrets Manager), not by API Gateway,
 * so that the local stack and the deployed one answer 401 identically.
 */
export class TrackingApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TrackingApiProps) {
    super(scope, id);
    const routes = props.routes ?? API_ROUTES;
    const throttles = props.throttles ?? routeThrottles(undefined, routes);
    for (const [name, limit] of [['default', throttles.default], ...Object.entries(throttles.routes)] as const) {
      if (!(limit.rateLimit > 0) || !(limit.burstLimit > 0)) {
        throw new Error(`TrackingApi ${id}: the throttle of ${name} needs a positive rateLimit and burstLimit`);
      }
    }

    this.httpApi = new HttpApi(this, 'HttpApi', {
      // After the stack, as every name the stack sets: two stages' APIs are told apart (the default would be `HttpApi`).
      apiName: `${Stack.of(this).stackName}-api`,
      description: 'Server-to-server conversion tracking',
      // The default stage is created below, with access logs and throttling that HttpApi cannot set on its own.
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: throttles.default.rateLimit, burstLimit: throttles.default.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const integrations = new Map<ApiFunctionName, HttpLambdaIntegration>();
    const stage = this.stage.node.defaultChild as CfnStage;
    // A JSON property in CloudFormation's schema: CDK passes it through as written, so its keys are spelt as the
    // template wants them (RouteSettingsProperty's camelCase would reach CloudFormation unchanged and be refused).
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of routes) {
      const functionName = functionServing(route.handler);
      let integration = integrations.get(functionName);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascalCase(functionName)}Integration`, props.functions[functionName]);
        integrations.set(functionName, integration);
      }
      const [created] = this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
      // A stage's RouteSettings name routes by key, and API Gateway refuses a key it does not know yet: the stage is
      // created (and updated) after the routes it throttles.
      const limit = throttles.routes[routeKeyOf(route)];
      if (limit) {
        stage.node.addDependency(created!);
        routeSettings[routeKeyOf(route)] = { ThrottlingRateLimit: limit.rateLimit, ThrottlingBurstLimit: limit.burstLimit };
      }
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          route.handler === 'health'
            ? 'The health check is public by contract (SPEC §2) and reveals nothing but liveness.'
            : 'Authenticated by the handler middleware: a bearer API key checked against the keys in Secrets Manager, ' +
              'answering 401 before anything is written; the same check runs on the local stack.',
      });
    }
    if (Object.keys(routeSettings).length) stage.routeSettings = routeSettings;
  }

  /** The base URL clients call, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }
}
