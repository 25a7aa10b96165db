/**
 * Starts DynamoDB Local and the SQS server once for the whole suite; tests reach them over their real
 * protocols through the endpoints published here (workers inherit the environment). Also creates the run's store of
 * esbuild outputs (test/support/bundle-cache.ts), which global-teardown.ts removes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, startSqsServer, RunningService } from '../../local/services';
import { BUNDLE_CACHE_VARIABLE } from './bundle-cache';

declare global {
  // eslint-disable-next-line no-var
  var __TRACKING_TEST_SERVICES__: RunningService[] | undefined;
  // eslint-disable-next-line no-var
  var __TRACKING_TEST_BUNDLES__: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsServer()]);
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TEST_SQS_ENDPOINT = sqs.endpoint;
  globalThis.__TRACKING_TEST_SERVICES__ = [dynamo, sqs];
  if (!process.env[BUNDLE_CACHE_VARIABLE]) {
    globalThis.__TRACKING_TEST_BUNDLES__ = mkdtempSync(join(tmpdir(), 'tracking-bundles-'));
    process.env[BUNDLE_CACHE_VARIABLE] = globalThis.__TRACKING_TEST_BUNDLES__;
  }
}
