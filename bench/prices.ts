/**
 * Public unit prices the cost figures are computed from, with their sources – data, so that updating a price is a
 * one-line change. AWS prices are us-east-1 list prices without free tiers (free tiers are per account and shared
 * with everything else in it); Google Cloud prices are Tier 1 regions.
 *
 * The benchmark runs without network access, so these figures are not fetched: each carries the date or period it is
 * known to hold for. Check the source before quoting a figure outside this document.
 */

export interface UnitPrice {
  id: string;
  what: string;
  usd: number;
  unit: string;
  source: string;
  asOf: string;
}

export const PRICES = {
  apiGatewayHttp: {
    id: 'apiGatewayHttp',
    what: 'API Gateway HTTP API requests (first 300 M a month; 512 KB metering increments)',
    usd: 1.0,
    unit: 'per million requests',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    asOf: 'unchanged since HTTP APIs became generally available (2020); listed 2025',
  },
  lambdaRequests: {
    id: 'lambdaRequests',
    what: 'Lambda requests',
    usd: 0.2,
    unit: 'per million requests',
    source: 'https://aws.amazon.com/lambda/pricing/',
    asOf: 'listed 2025',
  },
  lambdaArmGbSecond: {
    id: 'lambdaArmGbSecond',
    what: 'Lambda duration, arm64 (first 7.5 billion GB-s a month), billed per 1 ms',
    usd: 0.0000133334,
    unit: 'per GB-second',
    source: 'https://aws.amazon.com/lambda/pricing/',
    asOf: 'listed 2025',
  },
  lambdaInitBilled: {
    id: 'lambdaInitBilled',
    what: 'Lambda INIT phase billed like invocation time for on-demand functions (managed runtimes, .zip)',
    usd: 0.0000133334,
    unit: 'per GB-second of init',
    source: 'https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/',
    asOf: 'in force since 2025-08-01',
  },
  dynamoWrite: {
    id: 'dynamoWrite',
    what: 'DynamoDB on-demand write request units (1 per KB written; 2 per KB in a transaction)',
    usd: 0.625,
    unit: 'per million WRU',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    asOf: 'since the 50 % on-demand price cut of 2024-11-01',
  },
  dynamoRead: {
    id: 'dynamoRead',
    what: 'DynamoDB on-demand read request units (eventually consistent read of 4 KB = 0.5)',
    usd: 0.125,
    unit: 'per million RRU',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    asOf: 'since 2024-11-01',
  },
  dynamoStorage: {
    id: 'dynamoStorage',
    what: 'DynamoDB storage, Standard table class (first 25 GB a month free per account, not counted here)',
    usd: 0.25,
    unit: 'per GB-month',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    asOf: 'listed 2025',
  },
  dynamoPitr: {
    id: 'dynamoPitr',
    what: 'DynamoDB continuous backups (point-in-time recovery), on the table size',
    usd: 0.2,
    unit: 'per GB-month',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    asOf: 'listed 2025',
  },
  sqsStandard: {
    id: 'sqsStandard',
    what: 'SQS standard queue requests (each 64 KB chunk of a payload is one request)',
    usd: 0.4,
    unit: 'per million requests',
    source: 'https://aws.amazon.com/sqs/pricing/',
    asOf: 'listed 2025',
  },
  logsIngestion: {
    id: 'logsIngestion',
    what: 'CloudWatch Logs ingestion, standard class (Lambda logs: first 10 TB tier)',
    usd: 0.5,
    unit: 'per GB',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: 'listed 2025 (Lambda log tiers since 2025-05)',
  },
  xrayTraces: {
    id: 'xrayTraces',
    what: 'X-Ray traces recorded',
    usd: 5.0,
    unit: 'per million traces',
    source: 'https://aws.amazon.com/xray/pricing/',
    asOf: 'listed 2025',
  },
  secretsManagerSecret: {
    id: 'secretsManagerSecret',
    what: 'Secrets Manager secret (the API keys)',
    usd: 0.4,
    unit: 'per secret-month',
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    asOf: 'listed 2025',
  },
  secretsManagerCalls: {
    id: 'secretsManagerCalls',
    what: 'Secrets Manager API calls',
    usd: 0.05,
    unit: 'per 10,000 calls',
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    asOf: 'listed 2025',
  },
  cloudwatchAlarm: {
    id: 'cloudwatchAlarm',
    what: 'CloudWatch standard-resolution alarm',
    usd: 0.1,
    unit: 'per alarm metric-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: 'listed 2025',
  },
  cloudwatchMetric: {
    id: 'cloudwatchMetric',
    what: 'CloudWatch custom metric (EMF and metric filters; first 10,000)',
    usd: 0.3,
    unit: 'per metric-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: 'listed 2025',
  },
  cloudwatchDashboard: {
    id: 'cloudwatchDashboard',
    what: 'CloudWatch dashboard beyond the 3 free per account',
    usd: 3.0,
    unit: 'per dashboard-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: 'listed 2025',
  },
  cloudRunInstanceVcpu: {
    id: 'cloudRunInstanceVcpu',
    what: 'Cloud Run, instance-based billing (CPU always allocated), Tier 1 region',
    usd: 0.000018,
    unit: 'per vCPU-second',
    source: 'https://cloud.google.com/run/pricing',
    asOf: 'listed 2025',
  },
  cloudRunInstanceMemory: {
    id: 'cloudRunInstanceMemory',
    what: 'Cloud Run, instance-based billing memory, Tier 1 region',
    usd: 0.000002,
    unit: 'per GiB-second',
    source: 'https://cloud.google.com/run/pricing',
    asOf: 'listed 2025',
  },
} as const satisfies Record<string, UnitPrice>;

/**
 * Hosted server-side tagging plans (Stape sGTM hosting, monthly billing): price and included requests. Published on
 * https://stape.io/price; the Business quota of 5 M requests is also stated in Stape's help centre ("What happens if the
 * container reaches the monthly request limit?", updated 2026-04-24). Prices as published in 2024–2025.
 */
export const HOSTED_TAGGING_PLANS = [
  { plan: 'Stape Pro', usdPerMonth: 20, requests: 500_000 },
  { plan: 'Stape Business', usdPerMonth: 100, requests: 5_000_000 },
  { plan: 'Stape Enterprise', usdPerMonth: 200, requests: 20_000_000 },
] as const;
export const HOSTED_TAGGING_SOURCE = 'https://stape.io/price (plans); https://stape.io/helpdesk/knowledgebase/what-happens-if-the-container-reaches-the-monthly-request-limit-and-when-does-it-reset (Business = 5 M requests)';

/**
 * Server-side Google Tag Manager on Cloud Run as Google recommends it for production: at least 3 instances kept
 * running (so CPU is always allocated and billed), each of the tagging server's default size.
 */
export const SGTM_CLOUD_RUN = {
  minInstances: 3,
  vcpuPerInstance: 1,
  gibPerInstance: 0.5,
  source:
    'https://developers.google.com/tag-platform/tag-manager/server-side/cloud-run-setup-guide (production: minimum 3 instances; 1 vCPU, 512 MiB each) with the Cloud Run prices above',
} as const;

export const SECONDS_PER_MONTH = 730 * 3600;

/**
 * What the cost model assumes beyond the prices, each stated where it is used in docs/PERFORMANCE.md.
 * Latencies are AWS in-region figures of the order DynamoDB and SQS document (single-digit milliseconds for a
 * DynamoDB request); the local services answer faster, so measured local I/O would understate billed time.
 */
export const ASSUMPTIONS = {
  /** Lambda allocates CPU in proportion to memory; 1,769 MB buys one full vCPU. */
  fullVcpuAtMb: 1769,
  /** Billed I/O wait per capture on AWS: one BatchWriteItem. */
  captureAwsIoMs: 8,
  /**
   * Per conversion: three sequential round trips at the capture's 8 ms each – the order and the click ids read in
   * parallel, the SendMessage calls in parallel, then the conditional PutItem.
   */
  conversionAwsIoMs: 24,
  /** Per sender invocation: the order's GetItem, the claim, then (after the vendor) the record – three round trips. */
  senderAwsIoMs: 24,
  /** Lambda's own log lines per invocation (START, END, REPORT with its X-Ray line), bytes. */
  platformLogBytesPerInvocation: 420,
  platformLogEventsPerInvocation: 3,
  /** CloudWatch Logs counts 26 bytes of metadata per log event. */
  logEventOverheadBytes: 26,
  /** Share of invocations that start a new execution environment at steady traffic. */
  coldStartShare: 0.01,
  /** Lambda's default X-Ray sampling with active tracing: the first request each second, then 5 %. */
  xrayReservoirPerSecond: 1,
  xrayFixedRate: 0.05,
} as const;
