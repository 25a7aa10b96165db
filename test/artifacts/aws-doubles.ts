/**
 * What stands between the Lambda bundles and the local services:
 * - a Secrets Manager stand-in speaking the service's JSON 1.1 protocol (`GetSecretValue` only);
 * - a recording proxy every function reaches through `AWS_ENDPOINT_URL`. It reads the caller from the SigV4
 *   `Credential=<access key id>/<date>/<region>/<service>/aws4_request` of each request (each function process has
 *   its own access key id), records the action and the resource ARN the request acts on, and forwards the request to
 *   DynamoDB Local, the SQS server or the secrets stand-in by the service named in the credential scope.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardedHeaders, forwardToUpstream } from '../../local/aws-forward';
import { ACCOUNT } from './cloudformation';

export interface RecordedCall {
  /** The access key id the request was signed with: the function's logical id. */
  caller: string;
  service: string;
  /** e.g. `dynamodb:PutItem` */
  action: string;
  /** The ARNs the request acts on (several for a batch). */
  resources: string[];
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface SecretsStandIn {
  endpoint: string;
  /** The full ARN (with its random suffix) of a secret given by name or ARN, as IAM sees the call; undefined if unknown. */
  arnOf(secretId: string): string | undefined;
  handle(request: IncomingMessage, body: Buffer, response: ServerResponse): void;
  stop(): Promise<void>;
}

/** Secrets Manager's GetSecretValue over JSON 1.1, for the secrets given (by ARN). */
export async function startSecretsStandIn(secrets: Record<string, string>): Promise<SecretsStandIn> {
  const arnOf = (secretId: string) => Object.keys(secrets).find((a) => a === secretId || a.split(':')[6]?.replace(/-[A-Za-z0-9]{6}$/, '') === secretId);
  const handle = (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const reply = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${Date.now()}` });
      response.end(JSON.stringify(payload));
    };
    const target = request.headers['x-amz-target'];
    if (target !== 'secretsmanager.GetSecretValue') {
      return reply(400, { __type: 'UnknownOperationException', message: `Unsupported operation ${String(target)}` });
    }
    let input: { SecretId?: string };
    try {
      input = JSON.parse(body.toString('utf8')) as { SecretId?: string };
    } catch {
      return reply(400, { __type: 'SerializationException', message: 'Body is not JSON' });
    }
    const arn = arnOf(input.SecretId ?? '');
    if (!arn) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    return reply(200, {
      ARN: arn,
      Name: arn.split(':')[6]!.replace(/-[A-Za-z0-9]{6}$/, ''),
      SecretString: secrets[arn],
      VersionId: '00000000-0000-4000-8000-000000000001',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: Math.floor(Date.now() / 1000),
    });
  };
  const server = createServer((request, response) => void readAll(request).then((body) => handle(request, body, response)));
  return { endpoint: await listen(server), arnOf, handle, stop: () => close(server) };
}

/** `Credential=<key>/<date>/<region>/<service>/aws4_request` of a SigV4 Authorization header. */
export function credentialScope(authorization: string | undefined): { accessKeyId: string; region: string; service: string } | undefined {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return match ? { accessKeyId: match[1]!, region: match[2]!, service: match[3]! } : undefined;
}

/**
 * The action and the ARNs a request acts on, from its target header (JSON protocols) or its `Action` (query). A secret
 * named without its ARN is resolved by `secretArnOf` to the ARN IAM judges the call by (with its random suffix).
 */
export function describeCall(
  service: string,
  region: string,
  headers: IncomingMessage['headers'],
  body: Buffer,
  secretArnOf: (secretId: string) => string | undefined = () => undefined,
): { action: string; resources: string[] } {
  const text = body.toString('utf8');
  const target = headers['x-amz-target'];
  let operation: string;
  let input: Record<string, any> = {};
  if (typeof target === 'string') {
    operation = target.split('.').pop()!;
    try {
      input = text ? (JSON.parse(text) as Record<string, any>) : {};
    } catch {
      input = {};
    }
  } else {
    const params = new URLSearchParams(text);
    operation = params.get('Action') ?? 'Unknown';
    input = Object.fromEntries(params);
  }
  const table = (name: string, index?: string) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${name}${index ? `/index/${index}` : ''}`;
  let resources: string[] = [];
  if (service === 'dynamodb') {
    if (input.RequestItems) resources = Object.keys(input.RequestItems).map((name) => table(name));
    else if (input.TransactItems) {
      resources = (input.TransactItems as Record<string, { TableName: string }>[]).map((item) => table(Object.values(item)[0]!.TableName));
    } else if (input.TableName) resources = [table(input.TableName, input.IndexName)];
  } else if (service === 'sqs') {
    const url = input.QueueUrl as string | undefined;
    if (url) resources = [`arn:aws:sqs:${region}:${ACCOUNT}:${url.split('/').filter(Boolean).pop()}`];
  } else if (service === 'secretsmanager') {
    const id = input.SecretId as string | undefined;
    if (id) resources = [secretArnOf(id) ?? (id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${id}`)];
  }
  // SQS authorises its batch calls as the single ones (SendMessageBatch needs sqs:SendMessage, and so on).
  const action = service === 'sqs' ? operation.replace(/Batch$/, '') : operation;
  return { action: `${service}:${action}`, resources: [...new Set(resources)] };
}

export interface RecordingProxy {
  endpoint: string;
  calls: RecordedCall[];
  /** Requests whose signature named no credential: the proxy refuses them and lists them here. */
  unsigned: string[];
  stop(): Promise<void>;
}

/** The proxy in front of DynamoDB Local (`dynamodb`), the SQS server (`sqs`) and the secrets stand-in. */
export async function startRecordingProxy(upstreams: {
  dynamodb: string;
  sqs: string;
  secrets: SecretsStandIn;
  /** The access key id requests are forwarded under. */
  accessKeyId: string;
}): Promise<RecordingProxy> {
  const calls: RecordedCall[] = [];
  const unsigned: string[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readAll(request);
      const scope = credentialScope(request.headers.authorization);
      if (!scope) {
        unsigned.push(`${request.method} ${request.url}`);
        response.writeHead(403, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ __type: 'MissingAuthenticationTokenException', message: 'Request is not signed' }));
      }
      const { action, resources } = describeCall(scope.service, scope.region, request.headers, body, upstreams.secrets.arnOf);
      calls.push({ caller: scope.accessKeyId, service: scope.service, action, resources });
      if (scope.service === 'secretsmanager') return upstreams.secrets.handle(request, body, response);
      const upstream = scope.service === 'dynamodb' ? upstreams.dynamodb : scope.service === 'sqs' ? upstreams.sqs : undefined;
      if (!upstream) {
        response.writeHead(400, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ __type: 'UnknownService', message: `No local ${scope.service}` }));
      }
      const headers = forwardedHeaders(request);
      // DynamoDB Local keeps one database per access key id (it checks no signature): every function must see the
      // tables the test created, so the request goes on under the test's own key.
      headers.authorization = headers.authorization!.replace(/Credential=[^/]+\//, `Credential=${upstreams.accessKeyId}/`);
      try {
        await forwardToUpstream(upstream, request, headers, body, response);
      } catch (error) {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ __type: 'ProxyError', message: String(error) }));
      }
    })();
  });
  return { endpoint: await listen(server), calls, unsigned, stop: () => close(server) };
}
