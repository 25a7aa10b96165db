/**
 * Where an operator's command works: the local stack while `npm start` runs (its state file), or a deployed stack
 * read from its CloudFormation outputs. Shared by the commands that act on a running service (redrive, smoke), with
 * one-line explanations of the AWS SDK's expected failures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand, Output } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A failure the operator can act on: printed as one line, without a stack trace. */
export class TargetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TargetError';
  }
}

/** What `npm start` (local/start.ts) writes while the local stack runs. */
export interface LocalState {
  pid?: number;
  baseUrl?: string;
  sandboxUrl?: string;
  configFile?: string;
  sqsEndpoint?: string;
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

export interface DeployedStack {
  stackName: string;
  /** The region the stack was found in (from --region, else the AWS profile or AWS_REGION). */
  region: string;
  outputs: Output[];
}

/** The outputs of a deployed stack; a missing stack is a TargetError naming the stack and region. */
export async function describeStack(stackName: string, region: string | undefined): Promise<DeployedStack> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return { stackName, region: await cloudFormation.config.region(), outputs: Stacks?.[0]?.Outputs ?? [] };
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      const where = await cloudFormation.config.region().catch(() => 'the configured region');
      throw new TargetError(
        `Stack ${stackName} does not exist in ${where}. Pass --stack and --region, or use --local while npm start runs`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    cloudFormation.destroy();
  }
}

/** The value of a stack output; a missing one is a TargetError. */
export function outputValue(stack: DeployedStack, key: string): string {
  const value = stack.outputs.find((o) => o.OutputKey === key)?.OutputValue;
  if (!value) throw new TargetError(`Stack ${stack.stackName} in ${stack.region} has no output ${key}; was it deployed from this project?`);
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
      throw new TargetError(`Secret ${secretId} is not the JSON object of API keys the stack creates`);
    }
    const key = [keys.primary, ...Object.values(keys)].find((v): v is string => typeof v === 'string' && v.length > 0);
    if (!key) throw new TargetError(`Secret ${secretId} holds no API key`);
    return key;
  } finally {
    secrets.destroy();
  }
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
  if ((code && NETWORK_ERRORS.has(code)) || [...NETWORK_ERRORS].some((c) => message.includes(c))) {
    return `Cannot reach ${target} (${message}): check the network, or that npm start still runs for the local stack`;
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || /not authorized/i.test(message)) {
    return `Access denied on ${target}: ${message}`;
  }
  if ((error as { $metadata?: unknown }).$metadata !== undefined) return `${name}: ${message}`;
  return undefined;
}
