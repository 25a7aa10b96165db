/**
 * Starts DynamoDB Local and the SQS server once for the whole suite; tests reach them over their real
 * protocols through the endpoints published here (workers inherit the environment).
 */
import { startDynamoDbLocal, startSqsServer, RunningService } from '../../local/services';

declare global {
  // eslint-disable-next-line no-var
  var __TRACKING_TEST_SERVICES__: RunningService[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsServer()]);
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TEST_SQS_ENDPOINT = sqs.endpoint;
  globalThis.__TRACKING_TEST_SERVICES__ = [dynamo, sqs];
}
