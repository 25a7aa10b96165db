/**
 * Where an operator command works: the local stack (`npm start`) or the deployed stack. One module for every command
 * (`redrive`, `status`, `report`, `smoke`), so that `--local`, `--deployed`, `--stage`, `--stack` and `--region` mean the
 * same everywhere.
 *
 *   const target = await resolveTarget(targetArguments(values));
 *   target.apiUrl, await target.apiKey(), target.sqs, target.queues.get('kelkoo'), target.cloudWatch(), target.local
 *
 * Local: read from the state file `npm start` writes while it runs (local/start.ts, one per port – local/state.ts):
 * endpoints, table, queues, the configuration file (for its API key). `--port` (else PORT) chooses among several. Deployed: the
 * stack of `--stage` (default prod: `ConversionTracking-prod`), or `--stack` by name; its CloudFormation outputs (ApiUrl, ApiKeysSecretArn, the
 * queue URLs of every destination); the API key is read from Secrets Manager only when a command needs it.
 * `--local` or `--deployed` chooses; without either, the local stack while it runs, else the deployed one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand, Output } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_STAGE, deliveryOutputNames, parseStage, stackNameOf } from '../lib/constructs/naming';
import { METRICS_SERVICE } from '../lambdas/observability/metrics';
import { chooseLocalStack } from '../local/state';
import { LOCAL_AWS } from '../local/services';

/** The options every command accepts, for `parseArgs`. */
export const TARGET_OPTIONS = {
  local: { type: 'boolean' },
  deployed: { type: 'boolean' },
  stage: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  port: { type: 'string' },
} as const;

export const TARGET_USAGE =
  '  --local      the local stack started with npm start (the default while it runs)\n' +
  '  --port       the local stack on this port (default: PORT, else the only one running)\n' +
  `  --deployed   the deployed stack (the default otherwise): --stage (default ${DEFAULT_STAGE}: stack ` +
  `${stackNameOf(DEFAULT_STAGE)}) or --stack by name, --region (default: your AWS profile or AWS_REGION)`;

/** A failure the operator can act on: printed as one line, without a stack trace. */
export class CommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandError';
  }
}

/** The same class under the name `npm run smoke` uses. */
export { CommandError as TargetError };

export interface TargetArguments {
  target: 'local' | 'deployed' | 'auto';
  stackName: string;
  region?: string;
  /** The local stack's port (`--port`): implies the local target. */
  port?: number;
}

/** The command-line options of one command, besides TARGET_OPTIONS and -h/--help, which every command takes. */
export type CommandOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * An operator command's arguments: its own options, TARGET_OPTIONS and -h/--help. A parse error throws a CommandError
 * ending in `usage`.
 */
export function parseCommand<const O extends CommandOptions>(argv: string[], usage: string, options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, allowPositionals, options: { ...TARGET_OPTIONS, ...options, help: { type: 'boolean', short: 'h' } } as const });
  } catch (error) {
    throw new CommandError(`${(error as Error).message}\n${usage}`);
  }
}

/**
 * Runs the body of a command that works on a target: `use` marks the target resolved (its description then names the
 * failure), any error is reported as the command's failure (exit 1), and the target's clients are closed at the end.
 */
export async function runOnTarget(io: CommandIo, body: (use: <T extends Target>(target: T) => T) => Promise<number>): Promise<number> {
  let target: Target | undefined;
  try {
    return await body((resolved) => (target = resolved));
  } catch (error) {
    return commandFailure(error, io, target?.description ?? 'AWS');
  } finally {
    (target as Target | undefined)?.destroy();
  }
}

/** The target from parsed TARGET_OPTIONS; `usage` is appended to the error of a contradiction. */
export function targetArguments(
  values: { local?: boolean; deployed?: boolean; stage?: string; stack?: string; region?: string; port?: string },
  usage: string,
): TargetArguments {
  const deployedOnly = values.deployed || values.stage !== undefined || values.stack !== undefined || values.region !== undefined;
  const port = values.port === undefined ? undefined : portOption(values.port, usage);
  const local = values.local || port !== undefined;
  if (local && deployedOnly) throw new CommandError(`--local and --port cannot be combined with --deployed, --stage, --stack or --region.\n${usage}`);
  return {
    target: local ? 'local' : deployedOnly ? 'deployed' : 'auto',
    stackName: stackNameOption(values, usage),
    ...(values.region ? { region: values.region } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

/**
 * The deployed stack `--stage` and `--stack` name: the stage's stack (`ConversionTracking-<stage>`, the default stage's
 * without either), or the stack named. Both at once, or a stage that is not one, is a CommandError ending in `usage`.
 */
export function stackNameOption(values: { stage?: string; stack?: string }, usage: string): string {
  if (values.stage !== undefined && values.stack !== undefined) throw new CommandError(`Give --stage or --stack, not both.\n${usage}`);
  if (values.stack !== undefined) return values.stack;
  try {
    return stackNameOf(parseStage(values.stage));
  } catch (error) {
    throw new CommandError(`--stage: ${(error as Error).message}\n${usage}`);
  }
}

/** The value of `--port`: a port number, or a CommandError ending in `usage`. */
export function portOption(value: string, usage: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535) throw new CommandError(`--port must be a port number (1-65535), got ${JSON.stringify(value)}.\n${usage}`);
  return port;
}

export interface DestinationQueueUrls {
  queue: string;
  /** Known up front on both targets; absent only in a state file of an older local stack. */
  deadLetterQueue?: string;
}

export interface Target {
  kind: 'local' | 'deployed';
  /** For messages: "the local stack (…)" or "stack ConversionTracking in eu-west-1". */
  description: string;
  region: string;
  /** The API's base URL, without a trailing slash. */
  apiUrl: string;
  /** An API key the API accepts (the deployed one read from Secrets Manager on first call). */
  apiKey(): Promise<string>;
  sqs: SQSClient;
  /** Per destination id: its queue URLs. */
  queues: Map<string, DestinationQueueUrls>;
  /** A CloudWatch client for the target's region (deployed only: the local stack publishes no metrics). */
  cloudWatch(): CloudWatchClient;
  /**
   * The `service` dimension the deployed stack's functions publish their delivery counts under (its ServiceName
   * output; METRICS_SERVICE for a stack deployed before stages, and locally): for the report.
   */
  metricsService: string;
  /** The local stack's table (local only): for the report, which reads the counts from it. */
  local?: { dynamoEndpoint: string; tableName: string };
  /** The table's name on either target (deployed: the TableName output): for the replay, which reads order records. */
  tableName?: string;
  /** The configuration file the local stack runs with (local only). */
  configFile?: string;
  /** Releases the clients. */
  destroy(): void;
}

/** What `npm start` writes to its state file (local/start.ts, local/state.ts). */
export interface LocalState {
  pid?: number;
  port?: number;
  baseUrl?: string;
  sandboxUrl?: string;
  configFile?: string;
  sqsEndpoint?: string;
  dynamoEndpoint?: string;
  tableName?: string;
  region?: string;
  /** Per destination: `{queue, deadLetterQueue}`, or the queue URL alone. */
  queueUrls?: Record<string, string | { queue?: string; deadLetterQueue?: string }>;
}

/** The local stack's state, if `npm start` is running (its process is alive). */
export function readLocalState(stateFile: string): LocalState | undefined {
  if (!existsSync(stateFile)) return undefined;
  let state: LocalState;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
  if (typeof state.pid !== 'number') return undefined;
  try {
    process.kill(state.pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's process.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return state;
}

/** The first API key of the local stack's configuration file, else the local default. */
function localApiKey(configFile: string | undefined): string {
  if (configFile) {
    try {
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as { local?: { apiKeys?: unknown } };
      const keys = config.local?.apiKeys;
      if (Array.isArray(keys) && typeof keys[0] === 'string') return keys[0];
    } catch {
      // The stack validated the file when it started; fall back to the default.
    }
  }
  return 'local-dev-key';
}

export function localTarget(state: LocalState): Target {
  if (!state.sqsEndpoint || !state.queueUrls) {
    throw new CommandError('The local stack state file has no sqsEndpoint or queueUrls; restart npm start');
  }
  const queues = new Map<string, DestinationQueueUrls>();
  for (const [id, urls] of Object.entries(state.queueUrls)) {
    const queue = typeof urls === 'string' ? urls : urls.queue;
    if (!queue) continue;
    const deadLetterQueue = typeof urls === 'object' ? urls.deadLetterQueue : undefined;
    queues.set(id, { queue, ...(deadLetterQueue ? { deadLetterQueue } : {}) });
  }
  const region = state.region ?? LOCAL_AWS.region;
  const sqs = new SQSClient({ endpoint: state.sqsEndpoint, region, credentials: LOCAL_AWS.credentials });
  const apiKey = localApiKey(state.configFile);
  return {
    kind: 'local',
    description: `the local stack (SQS at ${state.sqsEndpoint})`,
    region,
    metricsService: METRICS_SERVICE,
    apiUrl: (state.baseUrl ?? 'http://localhost:3000').replace(/\/+$/, ''),
    apiKey: async () => apiKey,
    sqs,
    queues,
    cloudWatch: () => {
      throw new CommandError('The local stack publishes no CloudWatch metrics');
    },
    ...(state.dynamoEndpoint && state.tableName ? { local: { dynamoEndpoint: state.dynamoEndpoint, tableName: state.tableName } } : {}),
    ...(state.tableName ? { tableName: state.tableName } : {}),
    ...(state.configFile ? { configFile: state.configFile } : {}),
    destroy: () => sqs.destroy(),
  };
}

/**
 * The destinations of a deployed stack, from its outputs: each has `<Name>QueueUrl` and `<Name>DeadLetterQueueUrl`
 * (`deliveryOutputNames`). The id is read back from the output's description ("Dead-letter queue of <id>; …"),
 * since `AwinFr` could have come from `awin-fr` or `awinfr`.
 */
export function destinationsFromOutputs(outputs: Output[]): Map<string, { queue: string; deadLetterQueue: string }> {
  const byKey = new Map(outputs.map((o) => [o.OutputKey ?? '', o]));
  const found = new Map<string, { queue: string; deadLetterQueue: string }>();
  for (const output of outputs) {
    const id = /^Dead-letter queue of (\S+);/.exec(output.Description ?? '')?.[1];
    if (!id) continue;
    const names = deliveryOutputNames(id);
    const queue = byKey.get(names.queueUrl)?.OutputValue;
    const deadLetterQueue = byKey.get(names.deadLetterQueueUrl)?.OutputValue;
    if (queue && deadLetterQueue) found.set(id, { queue, deadLetterQueue });
  }
  return found;
}

export async function deployedTarget(stackName: string, region: string | undefined): Promise<Target> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const resolvedRegion = await cloudFormation.config.region();
    const outputs = Stacks?.[0]?.Outputs ?? [];
    const output = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue;
    const sqs = new SQSClient({ region: resolvedRegion });
    let cloudWatch: CloudWatchClient | undefined;
    let key: Promise<string> | undefined;
    return {
      kind: 'deployed',
      description: `stack ${stackName} in ${resolvedRegion}`,
      region: resolvedRegion,
      metricsService: output('ServiceName') ?? METRICS_SERVICE,
      apiUrl: (output('ApiUrl') ?? '').replace(/\/+$/, ''),
      apiKey: () => {
        const secretArn = output('ApiKeysSecretArn');
        if (!secretArn) return Promise.reject(new CommandError(`Stack ${stackName} has no ApiKeysSecretArn output`));
        return (key ??= readApiKey(secretArn, resolvedRegion));
      },
      sqs,
      queues: destinationsFromOutputs(outputs),
      ...(output('TableName') ? { tableName: output('TableName') } : {}),
      cloudWatch: () => (cloudWatch ??= new CloudWatchClient({ region: resolvedRegion })),
      destroy: () => {
        sqs.destroy();
        cloudWatch?.destroy();
      },
    };
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      const where = await cloudFormation.config.region().catch(() => 'the configured region');
      throw new CommandError(`Stack ${stackName} does not exist in ${where}. Pass --stage (or --stack) and --region, or use --local while npm start runs`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    cloudFormation.destroy();
  }
}

export interface DeployedStack {
  stackName: string;
  /** The region the stack was found in (from --region, else the AWS profile or AWS_REGION). */
  region: string;
  outputs: Output[];
}

/** The outputs of a deployed stack; a missing stack is a CommandError naming the stack and region. */
export async function describeStack(stackName: string, region: string | undefined): Promise<DeployedStack> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return { stackName, region: await cloudFormation.config.region(), outputs: Stacks?.[0]?.Outputs ?? [] };
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      const where = await cloudFormation.config.region().catch(() => 'the configured region');
      throw new CommandError(
        `Stack ${stackName} does not exist in ${where}. Pass --stage (or --stack) and --region, or use --local while npm start runs`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    cloudFormation.destroy();
  }
}

/** The value of a stack output; a missing one is a CommandError. */
export function outputValue(stack: DeployedStack, key: string): string {
  const value = stack.outputs.find((o) => o.OutputKey === key)?.OutputValue;
  if (!value) throw new CommandError(`Stack ${stack.stackName} in ${stack.region} has no output ${key}; was it deployed from this project?`);
  return value;
}

/**
 * An active API key from the stack's secret (`{"primary": "...", "secondary"?: "..."}`): the primary key, else any.
 * The key is returned to the caller only: never printed.
 */
export async function readApiKey(secretId: string, region: string): Promise<string> {
  const secrets = new SecretsManagerClient({ region });
  try {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    let keys: Record<string, unknown>;
    try {
      keys = JSON.parse(SecretString ?? '{}') as Record<string, unknown>;
    } catch {
      throw new CommandError(`Secret ${secretId} is not the JSON object of API keys the stack creates`);
    }
    const key = [keys.primary, ...Object.values(keys)].find((v): v is string => typeof v === 'string' && v.length > 0);
    if (!key) throw new CommandError(`Secret ${secretId} holds no API key`);
    return key;
  } finally {
    secrets.destroy();
  }
}


/**
 * The running local stack the arguments choose (local/state.ts, chooseLocalStack): the one on `--port` (else PORT),
 * else the only one. Undefined when none runs and the local target was not asked for; a CommandError when the
 * choice is wrong or ambiguous. `stateFile` reads that file instead (tests).
 */
export function chosenLocalState(args: Pick<TargetArguments, 'target' | 'port'>, stateFile?: string): LocalState | undefined {
  const required = args.target === 'local';
  if (stateFile !== undefined) {
    const state = readLocalState(stateFile);
    if (required && !state) throw new CommandError('The local stack is not running: start it with npm start');
    return state;
  }
  const choice = chooseLocalStack({ ...(args.port !== undefined ? { port: args.port } : {}), required });
  if (choice.kind === 'refused') throw new CommandError(choice.message);
  return choice.kind === 'chosen' ? choice.stack.state : undefined;
}

/** The target the arguments name; `stateFile` replaces the running stacks' state files (tests). */
export async function resolveTarget(args: TargetArguments, stateFile?: string): Promise<Target> {
  const state = args.target === 'deployed' ? undefined : chosenLocalState(args, stateFile);
  return state ? localTarget(state) : deployedTarget(args.stackName, args.region);
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

/** Expected failures of the AWS SDK, as one actionable line; undefined for anything unexpected. */
export function explainAwsError(error: unknown, target: string): string | undefined {
  const { name, message, code } = error as Error & { code?: string };
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return 'No AWS credentials found: set AWS_PROFILE or the AWS_* environment variables, or use --local while npm start runs';
  }
  if (/Region is missing/i.test(message)) return 'No AWS region: pass --region or set AWS_REGION';
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken') return 'Your AWS session has expired: sign in again';
  const cause = (error as { cause?: { code?: string } }).cause;
  if ((code && NETWORK_ERRORS.has(code)) || (cause?.code && NETWORK_ERRORS.has(cause.code)) || [...NETWORK_ERRORS].some((c) => message.includes(c))) {
    return `Cannot reach ${target} (${message}): check the network, or that npm start still runs for the local stack`;
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || /not authorized/i.test(message)) {
    return `Access denied on ${target}: ${message}`;
  }
  if ((error as { $metadata?: unknown }).$metadata !== undefined) return `${name}: ${message}`;
  return undefined;
}

/** Where a command writes its lines and its errors (tests pass recorders), and the local stack's state file. */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** A local stack's state file to use instead of choosing among the running ones (tests). */
  stateFile?: string;
}

/** An expected failure (a CommandError, or an AWS error explainAwsError knows) as one line and exit code 1; anything else is rethrown. */
export function commandFailure(error: unknown, io: Pick<CommandIo, 'err'>, target: string): number {
  const message = error instanceof CommandError ? error.message : explainAwsError(error, target);
  if (message === undefined) throw error;
  io.err(message);
  return 1;
}

/** Runs a command's `run` as the script's main: the arguments in, the exit code out, an unexpected error printed whole. */
export function runAsScript(run: (argv: string[], io: CommandIo) => Promise<number>): void {
  run(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

/** Calls the target's API: GET `path` with its key; the parsed JSON and status. */
export async function apiGet(target: Target, path: string): Promise<{ status: number; body: any }> {
  if (!target.apiUrl) throw new CommandError(`No API URL known for ${target.description}`);
  const response = await fetch(`${target.apiUrl}${path}`, { headers: { authorization: `Bearer ${await target.apiKey()}` } });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, body };
}
