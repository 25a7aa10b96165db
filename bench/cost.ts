/**
 * Cost per million captures and per million conversions on AWS, from the measured CPU time, DynamoDB capacity, SQS
 * requests and log volume, the memory sizes the stack deploys, and the unit prices in bench/prices.ts; beside it, what
 * server-side Google Tag Manager on Cloud Run and a hosted tagging plan cost for the same volume.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { TrackingConfig } from '../lambdas/config/schema';
import { TrackingStack } from '../lib/tracking-stack';
import type { CpuReport } from './cpu';
import { ASSUMPTIONS, HOSTED_TAGGING_PLANS, PRICES, SECONDS_PER_MONTH, SGTM_CLOUD_RUN } from './prices';
import type { SenderFigures } from './senders';

/** What the stack deploys, read from the synthesised template (bundling skipped: only the settings are wanted). */
export interface StackFacts {
  memoryMb: Record<string, number>;
  /** Whether Lambda's START/END/REPORT lines reach CloudWatch Logs (system log level INFO or finer, or text logs). */
  platformLogs: boolean;
  alarms: number;
  alarmMetrics: number;
  dashboards: number;
  secrets: number;
  queues: number;
  /** Point-in-time recovery on the table. */
  pitr: boolean;
  /** The HTTP API stage's access log format, and one line of it rendered with realistic values (renderAccessLog). */
  accessLogFormat: string;
  accessLogBytes: number;
  /** Metrics published by log metric filters: each a custom metric. */
  metricFilters: number;
}

/** What API Gateway puts in for each `$context` variable of a capture's access log line (others: "-", as it does). */
const ACCESS_LOG_VALUES: Record<string, string> = {
  '$context.requestId': 'Jk5Ck3LIoAMEV2g=',
  '$context.integration.requestId': '0123abcd-4567-89ef-0123-000000000042',
  '$context.apiId': 'a1b2c3d4e5',
  '$context.requestTimeEpoch': '1780308000123',
  '$context.httpMethod': 'POST',
  '$context.routeKey': 'POST /v1/clicks',
  '$context.path': '/v1/clicks',
  '$context.status': '201',
  '$context.protocol': 'HTTP/1.1',
  '$context.responseLength': '68',
  '$context.responseLatency': '43',
  '$context.integrationLatency': '39',
  '$context.integrationStatus': '201',
  '$context.identity.sourceIp': '198.51.100.20',
  '$context.identity.userAgent': 'shop-backend/1.0',
};

/** One access log line: the format with each `$context` variable replaced by a realistic value. */
export function renderAccessLog(format: string): string {
  return format.replace(/\$context\.[A-Za-z0-9_.]+/g, (name) => ACCESS_LOG_VALUES[name] ?? '-');
}

export function stackFacts(config: TrackingConfig): StackFacts {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new TrackingStack(app, 'BenchStack', { config });
  const template = Template.fromStack(stack);
  const memoryMb: Record<string, number> = {};
  for (const [name, fn] of Object.entries(stack.apiFunctions)) {
    memoryMb[name] = (template.findResources('AWS::Lambda::Function')[stack.getLogicalId(fn.node.defaultChild as never)]!.Properties as { MemorySize: number }).MemorySize;
  }
  const firstDelivery = [...stack.deliveries.values()][0];
  if (firstDelivery) {
    memoryMb.sender = (template.findResources('AWS::Lambda::Function')[stack.getLogicalId(firstDelivery.sender.node.defaultChild as never)]!.Properties as { MemorySize: number }).MemorySize;
  }
  const levels = Object.values(template.findResources('AWS::Lambda::Function')).map(
    (fn) => (fn.Properties as { LoggingConfig?: { SystemLogLevel?: string } }).LoggingConfig?.SystemLogLevel,
  );
  const platformLogs = levels.some((level) => level !== 'WARN' && level !== 'ERROR');
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  const alarmMetrics = alarms.reduce((sum, alarm) => {
    const metrics = (alarm.Properties as { Metrics?: Array<{ MetricStat?: unknown }> }).Metrics;
    return sum + (metrics ? metrics.filter((m) => m.MetricStat).length : 1);
  }, 0);
  const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties as { AccessLogSettings?: { Format?: string } } | undefined;
  const accessLogFormat = stage?.AccessLogSettings?.Format ?? '';
  const tables = Object.values(template.findResources('AWS::DynamoDB::Table')).concat(Object.values(template.findResources('AWS::DynamoDB::GlobalTable')));
  const pitr = tables.some((t) => JSON.stringify(t.Properties ?? {}).includes('"PointInTimeRecoveryEnabled":true'));
  const metricFilters = Object.values(template.findResources('AWS::Logs::MetricFilter')).reduce(
    (n, f) => n + ((f.Properties as { MetricTransformations?: unknown[] }).MetricTransformations?.length ?? 0),
    0,
  );
  return {
    pitr,
    accessLogFormat,
    accessLogBytes: accessLogFormat ? Buffer.byteLength(renderAccessLog(accessLogFormat)) + 1 : 0,
    metricFilters,
    memoryMb,
    platformLogs,
    alarms: alarms.length,
    alarmMetrics,
    dashboards: Object.keys(template.findResources('AWS::CloudWatch::Dashboard')).length,
    secrets: Object.keys(template.findResources('AWS::SecretsManager::Secret')).length,
    queues: Object.keys(template.findResources('AWS::SQS::Queue')).length,
  };
}

export interface CostLine {
  item: string;
  usdPerMillion: number;
  basis: string;
}

export interface CostBreakdown {
  label: string;
  lines: CostLine[];
  /** Everything but tracing, whose cost depends on the monthly volume (see xray). */
  total: number;
  withoutApiGateway: number;
}

/** Billed milliseconds of an invocation at `memoryMb`: our CPU stretched by the CPU share, plus the I/O wait. */
export function billedMs(cpuMs: number, ioMs: number, memoryMb: number): number {
  const share = Math.min(1, memoryMb / ASSUMPTIONS.fullVcpuAtMb);
  return Math.ceil(cpuMs / share + ioMs);
}

const perMillion = (unitsPerCall: number, price: { usd: number }) => unitsPerCall * price.usd;
const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);

function logsLine(bytesPerCall: number, facts: StackFacts): CostLine {
  return {
    item: 'CloudWatch Logs ingestion',
    usdPerMillion: (bytesPerCall * 1e6 * PRICES.logsIngestion.usd) / 1024 ** 3,
    basis: `${bytesPerCall.toFixed(0)} bytes per call (measured log lines${facts.platformLogs ? " + Lambda's START/END/REPORT" : ''} + 26 B per event${
      facts.platformLogs ? '' : "; Lambda's own lines filtered out by the system log level WARN"
    })`,
  };
}

/** Bytes Lambda itself logs per invocation, as ingested. */
const platformLogBytes = (facts: StackFacts) =>
  facts.platformLogs ? ASSUMPTIONS.platformLogBytesPerInvocation + ASSUMPTIONS.platformLogEventsPerInvocation * ASSUMPTIONS.logEventOverheadBytes : 0;

function initLine(initCpuMs: number, memoryMb: number, invocationsPerCall: number): CostLine {
  const initMs = billedMs(initCpuMs, 0, memoryMb);
  return {
    item: 'Lambda INIT (cold starts)',
    usdPerMillion: 1e6 * invocationsPerCall * ASSUMPTIONS.coldStartShare * gbSeconds(initMs, memoryMb) * PRICES.lambdaInitBilled.usd,
    basis: `${(ASSUMPTIONS.coldStartShare * 100).toFixed(0)} % of invocations cold × ${initMs} ms init at ${memoryMb} MB (measured init CPU scaled to the CPU share)`,
  };
}

function total(lines: CostLine[], label: string): CostBreakdown {
  const sum = lines.reduce((a, l) => a + l.usdPerMillion, 0);
  const gateway = lines.find((l) => l.item.startsWith('API Gateway'))?.usdPerMillion ?? 0;
  return { label, lines, total: sum, withoutApiGateway: sum - gateway };
}

export interface CostInputs {
  cpu: CpuReport;
  sender: SenderFigures;
  facts: StackFacts;
  initCpuMs: { capture: number; conversion: number; sender: number };
  vendors: number;
}

export function captureCost({ cpu, facts, initCpuMs }: CostInputs): CostBreakdown {
  const handler = cpu.handlers.find((h) => h.name === 'capture')!;
  const account = cpu.accounts[0]!;
  const memory = facts.memoryMb.capture!;
  const ms = billedMs(handler.cpuMs.p50, ASSUMPTIONS.captureAwsIoMs, memory);
  const logBytes =
    account.logBytes +
    account.logLines * ASSUMPTIONS.logEventOverheadBytes +
    platformLogBytes(facts);
  return total(
    [
      { item: 'API Gateway HTTP API', usdPerMillion: PRICES.apiGatewayHttp.usd, basis: '1 request' },
      { item: 'Lambda requests', usdPerMillion: PRICES.lambdaRequests.usd, basis: '1 invocation' },
      {
        item: 'Lambda duration',
        usdPerMillion: 1e6 * gbSeconds(ms, memory) * PRICES.lambdaArmGbSecond.usd,
        basis: `${ms} ms billed at ${memory} MB: ${handler.cpuMs.p50.toFixed(1)} ms CPU (measured, p50) ÷ CPU share + ${ASSUMPTIONS.captureAwsIoMs} ms DynamoDB`,
      },
      initLine(initCpuMs.capture, memory, 1),
      {
        item: 'DynamoDB writes',
        usdPerMillion: perMillion(account.writeUnits, PRICES.dynamoWrite),
        basis: `${account.writeUnits} WRU in ${account.dynamoRoundTrips} round trip (measured)`,
      },
      logsLine(logBytes, facts),
    ],
    'per million captures',
  );
}

export function conversionCost({ cpu, sender, facts, initCpuMs, vendors }: CostInputs): CostBreakdown {
  const handler = cpu.handlers.find((h) => h.name === 'conversion')!;
  const account = cpu.accounts.find((a) => a.label.startsWith('conversion'))!;
  const memory = facts.memoryMb.conversion!;
  const senderMemory = facts.memoryMb.sender!;
  const ms = billedMs(handler.cpuMs.p50, ASSUMPTIONS.conversionAwsIoMs, memory);
  const senderInvocations = vendors * sender.invocationsPerMessage;
  // Two conditional updates of a delivery record (under 1 KB) per message: claim, then record the outcome.
  const senderWriteUnits = vendors * 2;
  const logBytes =
    account.logBytes +
    account.logLines * ASSUMPTIONS.logEventOverheadBytes +
    vendors * sender.logBytesPerMessage +
    (1 + senderInvocations) * platformLogBytes(facts);
  return total(
    [
      { item: 'API Gateway HTTP API', usdPerMillion: PRICES.apiGatewayHttp.usd, basis: '1 request' },
      {
        item: 'Lambda requests',
        usdPerMillion: (1 + senderInvocations) * PRICES.lambdaRequests.usd,
        basis: `1 conversion + ${senderInvocations.toFixed(2)} sender invocations (${vendors} vendors × ${sender.invocationsPerMessage.toFixed(2)} per message, measured at batch ${sender.batchSize})`,
      },
      {
        item: 'Lambda duration (conversion)',
        usdPerMillion: 1e6 * gbSeconds(ms, memory) * PRICES.lambdaArmGbSecond.usd,
        basis: `${ms} ms billed at ${memory} MB: ${handler.cpuMs.p50.toFixed(1)} ms CPU (measured, p50) ÷ CPU share + ${ASSUMPTIONS.conversionAwsIoMs} ms DynamoDB and SQS`,
      },
      {
        item: 'Lambda duration (senders)',
        usdPerMillion: 1e6 * vendors * gbSeconds(sender.billedMsPerMessage, senderMemory) * PRICES.lambdaArmGbSecond.usd,
        basis: `${vendors} × ${sender.billedMsPerMessage.toFixed(0)} billed ms per message at ${senderMemory} MB (measured, vendor answering in 150 ms)`,
      },
      initLine(initCpuMs.conversion, memory, 1),
      initLine(initCpuMs.sender, senderMemory, senderInvocations),
      {
        item: 'DynamoDB writes',
        usdPerMillion: perMillion(account.writeUnits + senderWriteUnits, PRICES.dynamoWrite),
        basis: `${account.writeUnits} WRU at conversion (conditional PutItem of the order) + ${senderWriteUnits} WRU by the senders`,
      },
      {
        item: 'DynamoDB reads',
        usdPerMillion: perMillion(account.readUnits, PRICES.dynamoRead),
        basis: `${account.readUnits} RRU (click ids of one visitor key, measured)`,
      },
      {
        item: 'SQS requests',
        usdPerMillion: (account.sqsChunks + vendors * sender.sqsRequestsPerMessage) * PRICES.sqsStandard.usd,
        basis: `${account.sqsChunks} SendMessage (${account.sqsMessageBytes.toFixed(0)} B each, one 64 KB chunk) + ${vendors} × ${sender.sqsRequestsPerMessage.toFixed(2)} receive/delete per message (measured)`,
      },
      logsLine(logBytes, facts),
    ],
    `per million conversions (${vendors} vendors)`,
  );
}

/** X-Ray traces recorded per request at a steady `perMonth` volume, under Lambda's default sampling. */
export function xraySampledShare(perMonth: number): number {
  const perSecond = perMonth / SECONDS_PER_MONTH;
  const reservoir = Math.min(perSecond, ASSUMPTIONS.xrayReservoirPerSecond);
  return (reservoir + ASSUMPTIONS.xrayFixedRate * Math.max(0, perSecond - reservoir)) / perSecond;
}

export interface IdleCost {
  item: string;
  usdPerMonth: number;
  basis: string;
}

export function idleCosts(facts: StackFacts): IdleCost[] {
  return [
    { item: 'Lambda, API Gateway, DynamoDB on-demand throughput', usdPerMonth: 0, basis: 'billed per request: nothing when idle' },
    { item: 'Secrets Manager', usdPerMonth: facts.secrets * PRICES.secretsManagerSecret.usd, basis: `${facts.secrets} secret` },
    {
      item: 'CloudWatch alarms',
      usdPerMonth: facts.alarmMetrics * PRICES.cloudwatchAlarm.usd,
      basis: `${facts.alarms} alarms watching ${facts.alarmMetrics} metrics`,
    },
    {
      item: 'CloudWatch dashboard',
      usdPerMonth: facts.dashboards * PRICES.cloudwatchDashboard.usd,
      basis: `${facts.dashboards} dashboard (free if the account has fewer than 3)`,
    },
  ];
}

export interface Alternative {
  name: string;
  usdPerMonth: (requestsPerMonth: number) => number;
  basis: string;
}

export const ALTERNATIVES: Alternative[] = [
  {
    name: `sGTM on Cloud Run (${SGTM_CLOUD_RUN.minInstances} always-on instances)`,
    usdPerMonth: () =>
      SGTM_CLOUD_RUN.minInstances *
      SECONDS_PER_MONTH *
      (SGTM_CLOUD_RUN.vcpuPerInstance * PRICES.cloudRunInstanceVcpu.usd + SGTM_CLOUD_RUN.gibPerInstance * PRICES.cloudRunInstanceMemory.usd),
    basis: `${SGTM_CLOUD_RUN.minInstances} × (${SGTM_CLOUD_RUN.vcpuPerInstance} vCPU × $${PRICES.cloudRunInstanceVcpu.usd}/s + ${SGTM_CLOUD_RUN.gibPerInstance} GiB × $${PRICES.cloudRunInstanceMemory.usd}/s) × 730 h; billed whether or not a request arrives; load balancer, egress and logging extra`,
  },
  {
    name: 'Hosted sGTM (Stape, smallest plan that fits)',
    usdPerMonth: (requests) => HOSTED_TAGGING_PLANS.find((p) => p.requests >= requests)?.usdPerMonth ?? Number.NaN,
    basis: HOSTED_TAGGING_PLANS.map((p) => `${p.plan} $${p.usdPerMonth}/month for ${(p.requests / 1e6).toFixed(1)} M requests`).join('; '),
  },
];
