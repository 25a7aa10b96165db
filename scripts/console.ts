/**
 * `npm run console -- --deployed [--stage <name> | --stack <name>] [--region <region>] [--listen <port>]`
 *
 * The console (local/console/) against a deployed stack, served on 127.0.0.1 of the operator's machine
 * (local/console/deployed.ts): orders, what each vendor received and why anything was skipped or failed, queue and
 * dead-letter depths, the report's per-vendor numbers. Read with the operator's own AWS credentials (the policy they
 * need is in the README, "Operating it"); nothing is written and nothing is added to the deployed API. The local
 * stack's console is served by `npm start` itself: without --deployed (or --stage, --stack, --region) this says so.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { chooseConfig, loadConfig } from '../lambdas/config/load';
import type { TrackingConfig } from '../lambdas/config/schema';
import { documentClient } from '../lambdas/store/document-client';
import { DEFAULT_STAGE, parseStage } from '../lib/constructs/naming';
import { DeployedConsole } from '../local/console/deployed';
import { metricsReport } from './report';
import {
  apiGet,
  CommandError,
  CommandIo,
  deployedTarget,
  parseCommand,
  portOption,
  runAsScript,
  runOnTarget,
  Target,
  TARGET_USAGE,
  targetArguments,
} from './target';

const DEFAULT_LISTEN = 3100;

const USAGE =
  'Usage: npm run console -- --deployed [--stage <name> | --stack <name>] [--region <region>] [--listen <port>]\n' +
  `  --listen     the port on 127.0.0.1 to serve the console on (default ${DEFAULT_LISTEN})\n` +
  '  --config     the configuration file the stack was deployed from, for names and the dry run (default as cdk deploy chooses)\n' +
  TARGET_USAGE;

export interface DeployedConsoleOptions {
  stackName: string;
  /** The stage the banner names. */
  stage: string;
  region?: string;
  /** 0 picks a free port. */
  port: number;
  config?: TrackingConfig;
}

export interface RunningConsole {
  url: string;
  target: Target;
  stop(): Promise<void>;
}

/** The stage a stack name carries (`ConversionTracking-<stage>`), for `--stack`. */
function stageOf(stackName: string): string {
  return /^ConversionTracking-([a-z][a-z0-9]{0,11})$/.exec(stackName)?.[1] ?? `(stack ${stackName})`;
}

/** Reads the stack's outputs and serves the console on 127.0.0.1 (never another interface). */
export async function startDeployedConsole(options: DeployedConsoleOptions): Promise<RunningConsole> {
  const target = await deployedTarget(options.stackName, options.region);
  if (!target.tableName) {
    target.destroy();
    throw new CommandError(`Stack ${options.stackName} in ${target.region} has no TableName output; deploy it from this project`);
  }
  const dynamo = new DynamoDBClient({ region: target.region });
  const consoleServer = new DeployedConsole({
    stack: { stackName: options.stackName, stage: options.stage, region: target.region, apiUrl: target.apiUrl },
    db: documentClient(dynamo),
    tableName: target.tableName,
    sqs: target.sqs,
    queues: target.queues,
    // Encoded twice: API Gateway decodes the path before matching (docs/RELIABILITY.md, "Input limits").
    statusRoute: (orderId) => apiGet(target, `/v1/conversions/${encodeURIComponent(encodeURIComponent(orderId))}`),
    metrics: (since, now) => metricsReport(target, [...target.queues.keys()], since, now),
    ...(options.config ? { config: options.config } : {}),
  });
  const server: Server = createServer((request, response) => {
    consoleServer.handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'internal_error', message: (error as Error).message } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    target,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        dynamo.destroy();
        target.destroy();
      }),
  };
}

/** The configuration the stack was most likely deployed from; the console works without it (names from the vendors). */
function deployedConfig(explicit: string | undefined, io: CommandIo): TrackingConfig | undefined {
  try {
    return loadConfig(chooseConfig({ explicit }));
  } catch (error) {
    if (explicit) throw new CommandError((error as Error).message);
    io.err(`Configuration not read (${(error as Error).message}): destinations are shown by their ids.`);
    return undefined;
  }
}

export async function run(argv: string[], io: CommandIo, started?: (running: RunningConsole) => void): Promise<number> {
  return runOnTarget(io, async () => {
    const parsed = parseCommand(argv, USAGE, { listen: { type: 'string' }, config: { type: 'string' } });
    if (parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    const args = targetArguments(parsed.values, USAGE);
    if (args.target !== 'deployed') {
      throw new CommandError(`The local stack's console is served by npm start itself (http://localhost:3000/). For a deployed stack: npm run console -- --deployed.\n${USAGE}`);
    }
    const stage = parsed.values.stack !== undefined ? stageOf(args.stackName) : parseStage(parsed.values.stage ?? DEFAULT_STAGE);
    const port = parsed.values.listen === undefined ? DEFAULT_LISTEN : portOption(parsed.values.listen, USAGE);
    const config = deployedConfig(parsed.values.config, io);
    const running = await startDeployedConsole({ stackName: args.stackName, stage, ...(args.region ? { region: args.region } : {}), port, ...(config ? { config } : {}) });
    io.out(`Console of ${running.target.description} (read-only) at ${running.url} – Ctrl-C stops it`);
    if (started) {
      started(running);
      return 0;
    }
    await new Promise<void>((resolve) => process.once('SIGINT', resolve));
    await running.stop();
    return 0;
  });
}

if (require.main === module) runAsScript(run);
