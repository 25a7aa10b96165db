/**
 * Real clients for the suite's DynamoDB Local and SQS server (started once by global-setup), and fresh
 * resources per test file built from the same shape definitions as the CDK stack.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { LOCAL_AWS } from '../../local/services';
import { createTable } from '../../local/stack';
import { documentClient } from '../../lambdas/store/document-client';
import { TrackingStore } from '../../lambdas/store/tracking-store';

export function dynamoClient(): DynamoDBClient {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run the tests through jest (global setup)');
  return new DynamoDBClient({ endpoint, ...LOCAL_AWS });
}

export function sqsClient(): SQSClient {
  const endpoint = process.env.TEST_SQS_ENDPOINT;
  if (!endpoint) throw new Error('TEST_SQS_ENDPOINT is not set: run the tests through jest (global setup)');
  return new SQSClient({ endpoint, ...LOCAL_AWS });
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A new table with the stack's key schema and TTL attribute (created as the local stack creates its own). */
export async function createTestTable(client: DynamoDBClient): Promise<string> {
  const tableName = uniqueName('tracking');
  await createTable(client, tableName);
  return tableName;
}

export async function createTestStore(): Promise<{ store: TrackingStore; tableName: string; client: DynamoDBClient }> {
  const client = dynamoClient();
  const tableName = await createTestTable(client);
  return { store: new TrackingStore(documentClient(client), tableName), tableName, client };
}

/** A queue with a DLQ and redrive after `maxReceiveCount` receives. */
export async function createTestQueue(sqs: SQSClient, maxReceiveCount = 3): Promise<{ queueUrl: string; dlqUrl: string }> {
  const name = uniqueName('delivery');
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }), VisibilityTimeout: '30' },
    }),
  );
  return { queueUrl: queue.QueueUrl!, dlqUrl: dlq.QueueUrl! };
}

/** A logger that records what would have been printed, for assertions about log content. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record = (line: string) => void lines.push(line);
  const logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
  // Powertools writes through its own Console instance; swap it for one that records.
  Object.assign(logger, { console: { log: record, info: record, warn: record, error: record, debug: record, trace: record } });
  return { logger, lines };
}
