/** The local services every phase shares: DynamoDB Local, the SQS server in its own process, tables and queues. */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_AWS, RunningService, startDynamoDbLocal } from '../local/services';
import { createTable } from '../local/stack';

export interface BenchServices {
  dynamo: RunningService;
  sqs: RunningService;
  stop(): Promise<void>;
}

async function startSqsProcess(): Promise<RunningService> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'sqs-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    cwd: join(__dirname, '..'),
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the SQS server did not start within 30 s')), 30_000);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('http://'));
      if (line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('exit', (code) => reject(new Error(`the SQS server exited with code ${code}`)));
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

export async function startBenchServices(): Promise<BenchServices> {
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsProcess()]);
  return { dynamo, sqs, stop: async () => void (await Promise.allSettled([dynamo.stop(), sqs.stop()])) };
}

/** A table shaped as TrackingTable defines it: the local stack's own table creation. */
export const createBenchTable = createTable;

export async function createBenchQueue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<string> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return created.QueueUrl!;
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, ...LOCAL_AWS });
}

export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, ...LOCAL_AWS });
}
