/** A client of a running local stack for end-to-end tests: its API, its vendor sandbox, and polling helpers. */
import type { RecordedRequest } from '../../local/sandbox';
import { EXAMPLE_CONFIG_PATH } from '../../lambdas/config/load';
import { freePort } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';

/** A vendor call as the sandbox recorded it. */
export type RecordedCall = RecordedRequest;

export interface DeliveryView {
  vendor: string;
  status: string;
  attempts: number;
  vendorStatus?: number;
  reason?: string;
  lastError?: string;
}

export class StackClient {
  constructor(
    readonly stack: LocalStack,
    private readonly apiKey: string,
  ) {}

  async api(method: string, path: string, body?: unknown, options: { auth?: boolean } = {}): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.stack.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.auth === false ? {} : { authorization: `Bearer ${this.apiKey}` }),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Every call the sandbox recorded for `vendor` (all vendors when omitted). */
  async sandboxCalls(vendor?: string): Promise<RecordedCall[]> {
    const response = await fetch(`${this.stack.sandboxUrl}/requests${vendor ? `?vendor=${vendor}` : ''}`);
    return (await response.json()) as RecordedCall[];
  }

  /** Scripts the sandbox's answers for `vendor` (see local/sandbox.ts); null restores plain 200s. */
  async setBehaviour(vendor: string, behaviour: Record<string, unknown> | null): Promise<void> {
    const response = await fetch(`${this.stack.sandboxUrl}/${vendor}/_behaviour`, {
      method: behaviour ? 'POST' : 'DELETE',
      ...(behaviour ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(behaviour) } : {}),
    });
    if (response.status !== 200) throw new Error(`sandbox behaviour for ${vendor}: HTTP ${response.status}`);
  }

  async deliveries(orderId: string): Promise<DeliveryView[]> {
    // Encoded twice: the HTTP API (and the local server) decodes the path before matching, so an id holding `/` or
    // `%` needs a second layer (docs/RELIABILITY.md, "Input limits").
    const { status, body } = await this.api('GET', `/v1/conversions/${encodeURIComponent(encodeURIComponent(orderId))}`);
    if (status !== 200) throw new Error(`status of ${orderId}: HTTP ${status}`);
    return body.deliveries as DeliveryView[];
  }
}

/** Polls `read` until `done` holds, or fails after `timeoutMs` showing the last value read. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 150));
    value = await read();
  }
  return value;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The local stack of the shipped example configuration on a free port, quiet, over the suite's DynamoDB Local and SQS
 * server (test/support/global-setup.ts).
 */
export async function startExampleStack(): Promise<LocalStack> {
  return startLocalStack({
    configPath: EXAMPLE_CONFIG_PATH,
    port: await freePort(),
    quiet: true,
    dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT,
    sqsEndpoint: process.env.TEST_SQS_ENDPOINT,
  });
}
