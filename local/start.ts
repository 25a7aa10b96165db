/**
 * `npm start`: the local stack on PORT (default 3000) until Ctrl-C or SIGTERM.
 *
 * While it runs, `.local-stack/stack-<port>.json` (git-ignored) tells the operator commands where its endpoints,
 * table and queues are (state.ts); it is removed on exit. Stacks on other ports keep their own.
 */
import { relative } from 'node:path';
import { ConfigurationError } from '../lambdas/core/errors';
import { removeLocalState, runningLocalStacks, writeLocalState } from './state';
import { checkJava, checkPort, portProblem } from './preflight';
import { LOCAL_AWS } from './services';
import { DEFAULT_LOCAL_API_KEYS, LISTEN_HOST, LocalStack, startLocalStack } from './stack';


/** Stopping normally takes a second or two (DynamoDB Local's JVM is the slowest part). */
const STOP_TIMEOUT_MS = 15_000;

/** Signals closer together than this are one request to stop, delivered along several paths. */
const REPEATED_SIGNAL_MS = 1000;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function portFromEnv(): number {
  const raw = process.env.PORT;
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`PORT must be a port number (0-65535), got ${JSON.stringify(raw)}`);
  return port;
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere && !fromHere.startsWith('..') ? fromHere : path;
}

/** Publishes the stack for the operator commands; returns the port its state is kept under. */
function writeState(stack: LocalStack): number {
  const port = Number(new URL(stack.baseUrl).port);
  writeLocalState({
    pid: process.pid,
    port,
    baseUrl: stack.baseUrl,
    sandboxUrl: stack.sandboxUrl,
    configFile: stack.configFile.path,
    region: LOCAL_AWS.region,
    dynamoEndpoint: stack.dynamoEndpoint,
    sqsEndpoint: stack.sqsEndpoint,
    tableName: stack.tableName,
    queueUrls: stack.queueUrls,
  });
  return port;
}

function banner(stack: LocalStack, seconds: number): string {
  const devKey = stack.apiKeys.find((k) => (DEFAULT_LOCAL_API_KEYS as readonly string[]).includes(k));
  const configFile = displayPath(stack.configFile.path);
  const configNote = stack.configFile.isExample
    ? ' (shipped example: every vendor points at the sandbox)'
    : stack.configFile.source === 'TRACKING_CONFIG'
      ? ' (from TRACKING_CONFIG)'
      : '';
  const key = devKey ?? '$API_KEY';
  const example = JSON.stringify({ visitor: { sessionId: 's-1' }, landingUrl: 'https://www.shop.example/p/1.html?kk=demo-kk' });
  return [
    '',
    `Local conversion tracking stack ready in ${seconds.toFixed(1)} s`,
    `  Console   ${stack.baseUrl}/  (open in a browser: orders, what each vendor received, visitors, try it)`,
    `  API       ${stack.baseUrl}  (routes under /v1)`,
    `  Sandbox   ${stack.sandboxUrl}/requests  (vendor calls as received, with their checks)`,
    `  Config    ${configFile}${configNote}`,
    `  API key   ${devKey ?? `one of local.apiKeys in ${configFile}`}`,
    `  Try       curl -s -X POST ${stack.baseUrl}/v1/clicks -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '${example}'`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const port = portFromEnv();
  // Before anything starts: the two problems a newcomer meets first, each as one line with its fix.
  const java = checkJava();
  if (!java.ok) fail(java.message);
  const busy = await checkPort(port, LISTEN_HOST);
  if (busy) {
    const ours = runningLocalStacks().find((s) => s.port === port);
    if (ours) {
      fail(`Port ${port} is already in use by a local stack from this checkout (pid ${ours.state.pid}). Stop it, or start another one beside it: PORT=${port === 3001 ? 3002 : 3001} npm start`);
    }
    fail(busy);
  }
  // The first line of all: where to look. Port 0 (any free port) is known only once the stack listens.
  if (port !== 0) process.stdout.write(`Console   http://localhost:${port}/  – starting the local stack…\n`);

  let stack: LocalStack | undefined;
  /** The port the state file is kept under, once written. */
  let statePort: number | undefined;
  const removeState = () => {
    if (statePort !== undefined) removeLocalState(statePort);
  };
  let stopping = false;
  let stoppingSince = 0;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      // One Ctrl-C reaches this process several times (from the terminal, and relayed by npm and tsx); only a
      // later, deliberate second one means "stop waiting". The exit hook in services.ts still kills DynamoDB Local.
      if (Date.now() - stoppingSince < REPEATED_SIGNAL_MS) return;
      process.stdout.write('Stopping at once.\n');
      removeState();
      process.exit(1);
    }
    stopping = true;
    stoppingSince = Date.now();
    // Before the stack is up, the start-up below notices `stopping` and stops what it started.
    if (!stack) return;
    process.stdout.write(`\n${signal} received: stopping the local stack…\n`);
    setTimeout(() => {
      process.stderr.write(`The local stack did not stop within ${STOP_TIMEOUT_MS / 1000} s; exiting anyway.\n`);
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    await stack.stop();
    removeState();
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));

  try {
    stack = await startLocalStack({ port });
  } catch (error) {
    if (error instanceof ConfigurationError) fail(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') fail(portProblem(port, error as NodeJS.ErrnoException));
    fail(`The local stack failed to start: ${(error as Error).message}`);
  }
  if (stopping) {
    await stack.stop();
    process.exit(0);
  }
  statePort = writeState(stack);
  // Since the process began, so module loading and TypeScript compilation count too.
  process.stdout.write(banner(stack, process.uptime()));
}

void main();
