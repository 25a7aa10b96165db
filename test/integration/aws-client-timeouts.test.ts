/**
 * A stalled socket cannot hold a function until its timeout: the clients the functions build (DynamoDB for the
 * store, SQS as the entries build it, Secrets Manager for the API keys) abandon an attempt that gets no answer within
 * AWS_CLIENT_TIMEOUTS with a TimeoutError. They are pointed, through AWS_ENDPOINT_URL as the artifact tests do, at a
 * server that accepts connections and never answers; AWS_MAX_ATTEMPTS=1 shows one attempt. Without the timeouts the
 * SDK waits on the socket for 15 minutes and these tests time out.
 */
import { createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../lambdas/contract/shape';
import { apiKeys, awsClientConfig, trackingStore } from '../../lambdas/runtime/lambda';

let server: Server;
let endpoint: string;
const sockets = new Set<Socket>();
const saved: Record<string, string | undefined> = {};
const ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDSTALLEDTEST00000',
  AWS_SECRET_ACCESS_KEY: 'stalled-test-secret',
  AWS_MAX_ATTEMPTS: '1',
  [ENV.tableName]: 'stalled-table',
  [ENV.apiKeysSecretArn]: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:stalled-keys',
};

beforeAll(async () => {
  // Accepts every connection, reads what is sent, never answers.
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const environment = { ...ENVIRONMENT, AWS_ENDPOINT_URL: endpoint };
  for (const [name, value] of Object.entries(environment)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const timedOut = { name: 'TimeoutError', message: expect.stringMatching(/requestTimeout/) };

describe('AWS SDK clients of the functions against a stalled endpoint', () => {
  it('DynamoDB (the store) gives up with a TimeoutError', async () => {
    await expect(trackingStore().getOrder('STALLED-1')).rejects.toMatchObject(timedOut);
  }, 20_000);

  it('SQS (as the conversion, cancellation and sender entries build it) gives up with a TimeoutError', async () => {
    const sqs = new SQSClient(awsClientConfig());
    try {
      await expect(sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/stalled`, MessageBody: '{}' }))).rejects.toMatchObject(timedOut);
    } finally {
      sqs.destroy();
    }
  }, 20_000);

  it('Secrets Manager (the API keys) gives up, and the request fails instead of hanging', async () => {
    await expect(apiKeys().activeKeys()).rejects.toThrow(/requestTimeout/);
  }, 20_000);
});
