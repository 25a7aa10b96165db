/**
 * The deployed artifact under test: `cdk synth` of the app with five vendors and twenty postbacks, then every
 * AWS::Lambda::Function of the template run from its bundle in cdk.out, each in a fresh Node process with the
 * environment the template gives it, against DynamoDB Local, the SQS server and a Secrets Manager stand-in reached
 * only through AWS_ENDPOINT_URL. Events have the shapes API Gateway (HTTP API, payload 2.0) and the SQS event source
 * deliver. Every AWS call each function makes is recorded and checked against that function's role in the template,
 * and every notification an alarm of the template sends is checked against its topic's resource policy, for the
 * principal CloudWatch publishes as.
 */
import { cancelDestinationsOf, queuedDestinationsOf } from '../../lambdas/config/cancellation';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { parseConfig } from '../../lambdas/config/schema';
import { destinationsOf } from '../../lambdas/config/destinations';
import { consoleLogger } from '../../local/console-logger';
import { createTable } from '../../local/stack';
import { LOCAL_AWS } from '../../local/services';
import { VendorSandbox } from '../../local/sandbox';
import { API_FUNCTIONS } from '../../lambdas/contract/shape';
import { RUNTIME_CONFIG_FILE } from '../../lambdas/contract/runtime-config';
import { startRecordingProxy, startSecretsStandIn, RecordingProxy, SecretsStandIn } from './aws-doubles';
import { lambdaFunctions, LambdaFunction, readTemplate, Resolver, roleStatements, Statement, Template } from './cloudformation';
import { httpEvent, HttpRequest, sqsEvent } from './events';
import { lambdaEnvironment, RunningFunction, startFunction } from './functions';
import { alarmNotifications, cloudWatchPublish, topicPolicyStatements } from './alarm-notifications';
import { evaluate, evaluateResourcePolicy, unusedGrants } from './iam';
import { allowance, FunctionKind, judgedWith, OwnResources, relativeGrant, RelativeGrant } from './unused-grants';
import { synthesise } from './synth';
import { startXrayDaemon, XrayDaemon, XrayDocument } from './xray-daemon';
import { build } from 'esbuild';
import { esbuildOptions } from '../../bench/bundles';
import { entryPath } from '../../lib/constructs/paths';
import { trackingBundling } from '../../lib/constructs/tracking-function';
import { DEFAULT_STAGE, stackNameOf } from '../../lib/constructs/naming';

const REGION = LOCAL_AWS.region;
/** The stack `cdk deploy` creates without -c stage: the default stage's. */
const STACK = stackNameOf(DEFAULT_STAGE);
const API_KEY = 'artifact-test-key-0123456789abcdef0123';
const LOCAL_ONLY_KEY = 'local-only-key-that-must-never-ship';
/**
 * Vendor credentials of the configuration: the Klevu key and two postback credentials kept in Secrets Manager
 * (`{"secret": …}`), and inline tokens in postback URLs and headers. Each must be in the bundle of the senders whose
 * calls carry it and in no other bundle – one kept in Secrets Manager in none at all.
 */
const CREDENTIALS = {
  klevuKey: { value: 'klevu-artifact-5c0e9d27a4', senders: ['klevu'], secret: 'artifact/klevu-api-key' },
  awinUrlToken: { value: 'awin-url-token-3f81c2', senders: ['awin'] },
  awinCancelToken: { value: 'awin-cancel-token-a07d5e', senders: ['awin-cancel'] },
  awinHeader: { value: 'awin-header-token-61b9f0', senders: ['awin', 'awin-cancel'] },
  network01Url: { value: 'network-01-url-token-d4e8a1', senders: ['network-01'], secret: 'artifact/network-01-url' },
  network02Header: { value: 'network-02-header-token-9c2b77', senders: ['network-02'], secret: 'artifact/network-02-key' },
  network03Url: { value: 'network-03-url-token-e15f06', senders: ['network-03'] },
} as const;

/** Postbacks besides the five vendors: twenty, the size the configuration must deploy at (ARTIFACT_POSTBACKS to vary). */
const POSTBACKS = Number(process.env.ARTIFACT_POSTBACKS ?? 20);

let dir: string;
let sandbox: VendorSandbox;
let sandboxUrl: string;
const sandboxUrlOf = () => sandboxUrl;
let sandboxServer: Server;
let secrets: SecretsStandIn;
let proxy: RecordingProxy;
let xray: XrayDaemon;
let template: Template;
let outDir: string;
let resolver: Resolver;
let functions: LambdaFunction[];
let config: ReturnType<typeof parseConfig>;
const running = new Map<string, RunningFunction>();
const sqs = new SQSClient({ endpoint: process.env.TEST_SQS_ENDPOINT, ...LOCAL_AWS });
const dynamo = new DynamoDBClient({ endpoint: process.env.TEST_DYNAMODB_ENDPOINT, ...LOCAL_AWS });

/** Five vendors (the shipped example's settings) and twenty postbacks, every endpoint on the recording sandbox. */
function artifactConfig(sandboxUrl: string): Record<string, unknown> {
  const example = readFileSync(join(__dirname, '..', '..', 'tracking.config.example.json'), 'utf8');
  const parsed = JSON.parse(example.replaceAll('http://localhost:3000/sandbox', sandboxUrl)) as Record<string, any>;
  const awin = parsed.postbacks.awin;
  const postbacks: Record<string, unknown> = {
    awin: {
      ...awin,
      url: `${awin.url}&token=${CREDENTIALS.awinUrlToken.value}`,
      headers: { 'X-Auth-Token': CREDENTIALS.awinHeader.value },
      cancel: { ...awin.cancel, url: `${awin.cancel.url}&token=${CREDENTIALS.awinCancelToken.value}` },
    },
  };
  for (let i = 1; i < POSTBACKS; i++) {
    const id = `network-${String(i).padStart(2, '0')}`;
    postbacks[id] = {
      clickIdParam: `n${String(i).padStart(2, '0')}_click`,
      attributionDays: 30,
      url: networkUrl(sandboxUrl, id),
    };
  }
  Object.assign(postbacks['network-01']!, { url: { secret: CREDENTIALS.network01Url.secret } });
  Object.assign(postbacks['network-02']!, { headers: { 'X-Api-Key': { secret: CREDENTIALS.network02Header.secret } } });
  Object.assign(postbacks['network-03']!, { url: `${networkUrl(sandboxUrl, 'network-03')}&token=${CREDENTIALS.network03Url.value}` });
  parsed.vendors.klevu.apiKey = { secret: CREDENTIALS.klevuKey.secret };
  // A retried delivery comes back within a second or two (the retried and parked deliveries below).
  parsed.delivery = { ...parsed.delivery, retryBaseSeconds: 1 };
  return { ...parsed, postbacks, local: { apiKeys: [LOCAL_ONLY_KEY] } };
}

function networkUrl(sandboxUrl: string, id: string): string {
  return `${sandboxUrl}/${id}/conversion?order={order.orderId}&click={clickId}&amount={order.netValue}&currency={order.currency}`;
}

/** The values of the credentials kept in Secrets Manager, by secret name. */
function vendorSecrets(sandboxUrl: string): Record<string, string> {
  return {
    [CREDENTIALS.klevuKey.secret]: CREDENTIALS.klevuKey.value,
    [CREDENTIALS.network01Url.secret]: `${networkUrl(sandboxUrl, 'network-01')}&token=${CREDENTIALS.network01Url.value}`,
    [CREDENTIALS.network02Header.secret]: CREDENTIALS.network02Header.value,
  };
}

/** A vendor secret's ARN as Secrets Manager makes it: the name and a random six-character suffix. */
const vendorSecretArn = (name: string) => `arn:aws:secretsmanager:${REGION}:000000000000:secret:${name}-Zx81Qa`;

const byLogicalPrefix = (prefix: string) => {
  const fn = functions.find((f) => f.logicalId.startsWith(prefix));
  if (!fn) throw new Error(`No function ${prefix}* in the template`);
  return fn;
};

/**
 * The functions run as `observability.tracing: true` deploys them: the conversion function and Klevu's sender. The
 * option bundles the tracer (trackingBundling(true)) and sets Active tracing and POWERTOOLS_TRACE_ENABLED
 * (test/infra/tracing.test.ts): these two run such a bundle, built as CDK builds it, beside their own runtime
 * configuration, with that variable and the daemon's address. Every other function runs as synthesised, untraced.
 */
const traced = (fn: LambdaFunction) => fn.logicalId.startsWith('ConversionFunction') || fn.environment.DESTINATION_ID === 'klevu';

/**
 * The two entries a traced function runs, each built with the tracer as CDK builds it: started beside the synth, which
 * leaves a core free most of the time. By entry, the directory holding its index.js and source map.
 */
let tracedBuilds: Record<'conversion' | 'sender', Promise<string>>;
function buildTraced(entry: 'conversion' | 'sender'): Promise<string> {
  const buildDir = join(dir, `traced-build-${entry}`);
  // The sender with the Secrets Manager reader, as CDK bundles a sender whose configuration names secrets (Klevu's here).
  const bundling = trackingBundling(true, entry === 'sender');
  return build({ ...esbuildOptions(bundling), entryPoints: [entryPath(entry)], outfile: join(buildDir, 'index.js'), logLevel: 'silent' }).then(() => buildDir);
}

/** `fn` with the bundle a traced deployment gives it: its entry built with the tracer, its own runtime configuration. */
async function tracedBundle(fn: LambdaFunction): Promise<LambdaFunction> {
  const assetDir = join(dir, `traced-${fn.logicalId}`);
  const buildDir = await tracedBuilds[fn.environment.DESTINATION_ID === undefined ? 'conversion' : 'sender'];
  // The bundle and its source map as built, in a directory as deep as the build's: the map's paths hold.
  mkdirSync(assetDir);
  for (const file of readdirSync(buildDir)) copyFileSync(join(buildDir, file), join(assetDir, file));
  copyFileSync(join(fn.assetDir, RUNTIME_CONFIG_FILE), join(assetDir, RUNTIME_CONFIG_FILE));
  return { ...fn, assetDir };
}

function environmentOf(fn: LambdaFunction): Record<string, string> {
  const environment = lambdaEnvironment(fn, resolver, REGION, proxy.endpoint);
  return traced(fn) ? { ...environment, POWERTOOLS_TRACE_ENABLED: 'true', AWS_XRAY_DAEMON_ADDRESS: xray.address } : environment;
}

/** Processes of a function stopped after its work and started again later (a sender delivering twice): their logs. */
const retired: RunningFunction[] = [];
/** Every function process of the run, stopped or not: whose output the log checks read. */
const everyProcess = () => [...retired, ...running.values()];

async function started(fn: LambdaFunction): Promise<RunningFunction> {
  let process = running.get(fn.logicalId);
  if (process?.exited) {
    retired.push(process);
    process = undefined;
  }
  if (!process) {
    process = startFunction(fn, environmentOf(fn));
    running.set(fn.logicalId, process);
  }
  await process.ready;
  return process;
}

const apiFunctionFor: Record<string, string> = {
  'POST /v1/clicks': 'CaptureFunction',
  'POST /v1/identify': 'IdentifyFunction',
  'DELETE /v1/visitors': 'IdentifyFunction',
  'POST /v1/conversions': 'ConversionFunction',
  'GET /v1/conversions/{orderId}': 'StatusFunction',
  'GET /v1/health': 'StatusFunction',
  'POST /v1/conversions/{orderId}/cancellation': 'CancellationFunction',
  'GET /v1/deliveries': 'DeliveriesFunction',
};

/** Sends one HTTP API event to the function API Gateway would route it to; the body parsed as JSON. */
async function api(request: HttpRequest): Promise<{ statusCode: number; body: any; headers: Record<string, string> }> {
  const routeKey = `${request.method} ${request.route ?? request.path}`;
  const fn = await started(byLogicalPrefix(apiFunctionFor[routeKey]!));
  const result = await fn.invoke(httpEvent(request, REGION));
  // A 5xx is never an answer these tests expect: show what the function logged.
  if (result.statusCode >= 500) throw new Error(`${routeKey} answered ${result.statusCode}: ${result.body}\n${fn.output.join('').slice(-3000)}`);
  return { statusCode: result.statusCode, headers: result.headers ?? {}, body: result.body ? JSON.parse(result.body) : undefined };
}

const authorised = (headers: Record<string, string> = {}) => ({ authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers });

/** The sender function of a destination, found by its DESTINATION_ID. */
function senderOf(destination: string): LambdaFunction {
  const fn = functions.find((f) => f.environment.DESTINATION_ID === destination);
  if (!fn) throw new Error(`No sender for ${destination}`);
  return fn;
}

/** The queue of an event source mapping's function, as a local URL and ARN. */
function consumedQueue(fn: LambdaFunction): { url: string; arn: string } {
  const mapping = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.FunctionName?.Ref === fn.logicalId,
  );
  if (!mapping) throw new Error(`No event source mapping for ${fn.logicalId}`);
  const queueId = mapping.Properties.EventSourceArn['Fn::GetAtt'][0] as string;
  return { url: resolver.ref(queueId), arn: resolver.arn(queueId) };
}

/**
 * What Lambda's event source mapping does for a sender: receive up to ten messages (with the function's role, so the
 * proxy records the receive and delete against it), invoke the function with the SQS event, then delete every
 * message not reported in `batchItemFailures`.
 */
async function deliverQueue(destination: string): Promise<{ received: number; failures: unknown[] }> {
  const fn = senderOf(destination);
  const queue = consumedQueue(fn);
  const asRole = new SQSClient({
    endpoint: proxy.endpoint,
    region: REGION,
    credentials: { accessKeyId: fn.logicalId, secretAccessKey: 'artifact-test-secret' },
  });
  try {
    await asRole.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] }));
    const { Messages = [] } = await asRole.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 1, WaitTimeSeconds: 5, AttributeNames: ['All'], MessageAttributeNames: ['All'] }),
    );
    // One message per destination in the journey: the SQS server answers as soon as it has it (a long poll with
    // no wait can come back empty on a loaded machine).
    if (Messages.length === 0) return { received: 0, failures: [] };
    const sender = await started(fn);
    const result = await sender.invoke<{ batchItemFailures: { itemIdentifier: string }[] }>(sqsEvent(Messages, queue.arn, REGION));
    const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    const done = Messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length) {
      await asRole.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    return { received: Messages.length, failures: result.batchItemFailures };
  } finally {
    asRole.destroy();
    // Its log lines stay with the RunningFunction; the process is not needed again.
    await running.get(fn.logicalId)?.stop();
  }
}

/** Creates the template's table and queues locally, dead-letter queues first. */
async function createResources(): Promise<void> {
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::DynamoDB::Table') await createTable(dynamo, resolver.physicalName(id));
  }
  const queues = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  const ordered = [...queues.filter(([, r]) => !r.Properties?.RedrivePolicy), ...queues.filter(([, r]) => r.Properties?.RedrivePolicy)];
  for (const [id, resource] of ordered) {
    const p = (resolver.resolve(resource.Properties ?? {}) as Record<string, any>) ?? {};
    const attributes: Record<string, string> = {};
    if (p.VisibilityTimeout !== undefined) attributes.VisibilityTimeout = String(p.VisibilityTimeout);
    if (p.MessageRetentionPeriod !== undefined) attributes.MessageRetentionPeriod = String(p.MessageRetentionPeriod);
    if (p.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(p.RedrivePolicy);
    await sqs.send(new CreateQueueCommand({ QueueName: resolver.physicalName(id), Attributes: attributes }));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'artifacts-'));
  sandboxServer = createServer((request, response) => void sandbox.handle(request, response));
  await new Promise<void>((resolve) => sandboxServer.listen(0, '127.0.0.1', resolve));
  sandboxUrl = `http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}/sandbox`;
  const raw = artifactConfig(sandboxUrl);
  config = parseConfig(raw);
  // The sandbox checks each postback's calls as a postback, each vendor's against its document.
  sandbox = new VendorSandbox(consoleLogger('sandbox', true), new Map(destinationsOf(config).map((d) => [d.id, d.adapter])));

  tracedBuilds = { conversion: buildTraced('conversion'), sender: buildTraced('sender') };
  // Awaited by tracedBundle below; a failure there, not as unhandled while the synth runs.
  for (const started of Object.values(tracedBuilds)) started.catch(() => undefined);
  const synth = await synthesise(raw, dir);
  outDir = synth.outDir;
  template = readTemplate(outDir, STACK);
  functions = lambdaFunctions(template, outDir);

  const suffix = Math.random().toString(36).slice(2, 8);
  const names: Record<string, string> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::DynamoDB::Table' || r.Type === 'AWS::SQS::Queue') names[id] = `${id.slice(0, 60)}-${suffix}`;
    if (r.Type === 'AWS::SecretsManager::Secret') names[id] = `${id}-${suffix}`;
  }
  // The proxy's URL is needed to resolve queue URLs, and the secret's ARN to start the stand-in the proxy serves.
  const secretIds = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret').map(([id]) => id);
  const provisional = new Resolver(template, { region: REGION, stackName: STACK, sqsEndpoint: 'http://placeholder', names });
  secrets = await startSecretsStandIn({
    ...Object.fromEntries(secretIds.map((id) => [provisional.arn(id), JSON.stringify({ primary: API_KEY })])),
    // The vendor credentials the operator put in Secrets Manager, under the ARNs Secrets Manager gives them.
    ...Object.fromEntries(Object.entries(vendorSecrets(sandboxUrl)).map(([name, value]) => [vendorSecretArn(name), value])),
  });
  xray = await startXrayDaemon();
  functions = await Promise.all(functions.map((fn) => (traced(fn) ? tracedBundle(fn) : fn)));
  proxy = await startRecordingProxy({ dynamodb: process.env.TEST_DYNAMODB_ENDPOINT!, sqs: process.env.TEST_SQS_ENDPOINT!, secrets, accessKeyId: LOCAL_AWS.credentials.accessKeyId });
  resolver = new Resolver(template, { region: REGION, stackName: STACK, sqsEndpoint: proxy.endpoint, names });
  await createResources();
}, 300_000);

afterAll(async () => {
  await Promise.all([...running.values()].map((fn) => fn.stop()));
  await Promise.all([proxy?.stop(), secrets?.stop(), xray?.stop()]);
  sandbox?.close();
  await new Promise<void>((resolve) => (sandboxServer ? sandboxServer.close(() => resolve()) : resolve()));
  sqs.destroy();
  dynamo.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the synthesised template', () => {
  it('has the API functions and one sender per destination (5 vendors + 20 postbacks + cancellation calls), each with a bundle', () => {
    const senders = functions.filter((f) => f.environment.DESTINATION_ID !== undefined).map((f) => f.environment.DESTINATION_ID);
    // Sale destinations, plus a cancellation sender per postback with a cancel template (the example's awin).
    expect(senders.sort()).toEqual(queuedDestinationsOf(config).map((d) => d.id).sort());
    expect(senders).toHaveLength(5 + POSTBACKS + cancelDestinationsOf(config).length);
    expect(functions).toHaveLength(Object.keys(API_FUNCTIONS).length + senders.length);
    for (const fn of functions) expect(readdirSync(fn.assetDir)).toEqual(expect.arrayContaining(['index.js', RUNTIME_CONFIG_FILE]));
  });

  it('keeps every environment within Lambda’s 4 KB and holds no secret in an environment or a bundle', () => {
    for (const fn of functions) {
      const variables = JSON.stringify(environmentOf(fn));
      expect({ fn: fn.logicalId, bytes: Buffer.byteLength(JSON.stringify(resolver.resolve(fn.environment))) < 4096 }).toEqual({ fn: fn.logicalId, bytes: true });
      expect(variables).not.toContain(API_KEY);
      expect(variables).not.toContain(LOCAL_ONLY_KEY);
    }
    const assets = new Set(functions.map((f) => f.assetDir));
    for (const asset of assets) {
      for (const file of readdirSync(asset)) {
        const text = readFileSync(join(asset, file), 'utf8');
        expect({ file, leaks: text.includes(LOCAL_ONLY_KEY) }).toEqual({ file, leaks: false });
      }
    }
    expect(JSON.stringify(template)).not.toContain(LOCAL_ONLY_KEY);
  });

  it('holds each vendor credential in the bundles of the senders whose calls carry it, and in no other – one kept in Secrets Manager in none', () => {
    const text = (dir: string) => readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
    const bundles = functions.map((fn) => ({ fn, text: text(fn.assetDir) }));
    // Not vacuous: every bundle has been read, runtime-config.json included.
    expect(bundles.every((b) => b.text.includes('"delivery"'))).toBe(true);
    for (const [name, credential] of Object.entries(CREDENTIALS)) {
      const holders = bundles.filter((b) => b.text.includes(credential.value)).map((b) => b.fn.logicalId).sort();
      const expected = 'secret' in credential ? [] : credential.senders.map((id) => senderOf(id).logicalId).sort();
      expect({ name, holders }).toEqual({ name, holders: expected });
    }
    const everything = JSON.stringify(template);
    for (const credential of Object.values(CREDENTIALS)) expect(everything).not.toContain(credential.value);
  });

  it('lets only the sender whose calls carry a credential kept in Secrets Manager read its secret', () => {
    for (const credential of Object.values(CREDENTIALS)) {
      if (!('secret' in credential)) continue;
      const call = { action: 'secretsmanager:GetSecretValue', resource: vendorSecretArn(credential.secret) };
      const readers = functions.filter((fn) => evaluate(resolver.resolve(roleStatements(template, fn.roleId)) as never, call) === 'allowed');
      expect({ secret: credential.secret, readers: readers.map((fn) => fn.logicalId) }).toEqual({
        secret: credential.secret,
        readers: credential.senders.map((id) => senderOf(id).logicalId),
      });
    }
  });

  it('gives each sender role what its SQS event source mapping needs on its own queue', () => {
    // SendMessage on its own queue: a retry is a delayed copy of the message (lambdas/store/delivery-queues.ts).
    const needed = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage'];
    const problems: string[] = [];
    for (const fn of functions.filter((f) => f.environment.DESTINATION_ID !== undefined)) {
      const queue = consumedQueue(fn);
      const statements = resolver.resolve(roleStatements(template, fn.roleId)) as never;
      for (const action of needed) {
        const decision = evaluate(statements, { action, resource: queue.arn });
        if (decision !== 'allowed') problems.push(`${fn.logicalId}: ${action} on ${queue.arn} is ${decision}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('every bundle', () => {
  it('loads as Lambda loads it, with its template environment (init phase)', async () => {
    const inits: Record<string, number> = {};
    // A few at a time: 29 Node processes at once would only measure the machine.
    for (let i = 0; i < functions.length; i += 6) {
      await Promise.all(
        functions.slice(i, i + 6).map(async (fn) => {
          const process = await started(fn);
          inits[fn.logicalId] = Math.round(process.initMs!);
        }),
      );
    }
    expect(Object.keys(inits)).toHaveLength(functions.length);
    const times = Object.values(inits).sort((a, b) => a - b);
    console.info(`Module init of ${times.length} bundles (ms, on a shared machine): min ${times[0]}, median ${times[times.length >> 1]}, max ${times.at(-1)}`);
  }, 120_000);
});

describe('API Gateway events', () => {
  it('health answers without a key; any other route answers 401 without one', async () => {
    expect((await api({ method: 'GET', path: '/v1/health' })).statusCode).toBe(200);
    const denied = await api({ method: 'POST', path: '/v1/clicks', headers: { 'content-type': 'application/json' }, body: { visitor: { sessionId: 's' } } });
    expect(denied.statusCode).toBe(401);
  });

  it('a POST with no body key at all gets a 4xx, never a crash', async () => {
    for (const path of ['/v1/clicks', '/v1/identify', '/v1/conversions']) {
      const answer = await api({ method: 'POST', path, headers: authorised() });
      expect({ path, status: answer.statusCode }).toEqual({ path, status: 400 });
      expect(answer.body.error.code).toBe('invalid_json');
    }
  });

  it('reads a Base64-encoded body and serves a request on a named stage (rawPath with the stage prefix)', async () => {
    const base64 = await api({
      method: 'POST',
      path: '/v1/clicks',
      headers: authorised(),
      body: { visitor: { sessionId: 'stage-s1' }, landingUrl: 'https://www.shop.example/?kk=kk-b64' },
      base64: true,
    });
    expect(base64.statusCode).toBe(201);
    expect(base64.body.stored).toEqual([expect.objectContaining({ param: 'kk', vendors: ['kelkoo'] })]);
    const staged = await api({ method: 'GET', path: '/v1/health', stage: 'prod' });
    expect(staged.statusCode).toBe(200);
    const erased = await api({ method: 'DELETE', path: '/v1/visitors', headers: authorised(), body: { visitor: { sessionId: 'stage-s1' } } });
    expect(erased.statusCode).toBe(200);
    const unknown = await api({ method: 'GET', path: '/v1/conversions/none', route: '/v1/conversions/{orderId}', pathParameters: { orderId: 'none' }, stage: 'prod', headers: authorised() });
    expect(unknown.statusCode).toBe(404);
  });
});

const ORDER = 'ART-1/é & co';
const DRY_ORDER = 'ART-DRY-1';

function orderBody(orderId: string, extra: Record<string, unknown> = {}) {
  return {
    orderId,
    visitor: { userId: 'art-u1' },
    currency: 'EUR',
    orderValue: 609.07,
    netValue: 503.36,
    country: 'fr',
    items: [
      { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 },
      { productId: 'P108530', name: 'Serre joints écarteur', unitPrice: 18.7, quantity: 2 },
    ],
    shopper: { ip: '203.0.113.7', country: 'FR', city: 'Lyon' },
    ...extra,
  };
}

describe('the journey through the bundles', () => {
  const destinations = () => destinationsOf(config).map((d) => d.id);

  it('capture → identify → conversion queues a message for every destination', async () => {
    const clickParams = ['kk=a4csscc-1781b717420-34cf3', 'qc_clickid=QC4238408', 's1=cm-7f3a', 'reaid=REA-42', 'awc=1234_1700000000_abcdef'];
    for (let i = 1; i < POSTBACKS; i++) clickParams.push(`n${String(i).padStart(2, '0')}_click=click-${i}`);
    const captured = await api({
      method: 'POST',
      path: '/v1/clicks',
      headers: authorised(),
      body: {
        visitor: { sessionId: 'art-s1' },
        landingUrl: `https://www.shop.example/p/137.html?${clickParams.join('&')}`,
        identifiers: { raptor: { coid: '6f1c1f9e-8d6a-4f1e-9b4e-2f0d3c1a7b55', sid: '0b8e7c55-3f0e-4d6b-9a55-1e2f3a4b5c6d', ruid: 'shopper-42' } },
      },
      base64: true,
    });
    expect(captured.statusCode).toBe(201);
    const linked = await api({ method: 'POST', path: '/v1/identify', headers: authorised(), body: { visitor: { sessionId: 'art-s1', userId: 'art-u1' } } });
    expect(linked.statusCode).toBe(200);

    const accepted = await api({ method: 'POST', path: '/v1/conversions', headers: authorised(), body: orderBody(ORDER) });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.body.deliveries).toEqual(destinations().map((vendor) => ({ vendor, status: 'queued' })));
  });

  it('each sender bundle delivers its messages to the vendor, and the status route reports every one sent', async () => {
    for (const destination of destinations()) {
      const { received, failures } = await deliverQueue(destination);
      expect({ destination, received, failures }).toEqual({ destination, received: 1, failures: [] });
    }
    const calls = sandbox.requests();
    for (const destination of destinations()) {
      const own = calls.filter((c) => c.vendor === destination);
      expect({ destination, calls: own.length > 0, violations: own.flatMap((c) => c.violations) }).toEqual({ destination, calls: true, violations: [] });
    }
    // Each credential reached its vendor: those kept in Secrets Manager read by their sender at run time.
    const klevu = calls.find((c) => c.vendor === 'klevu')!;
    expect((klevu.json as Array<{ event_apikey: string }>)[0]!.event_apikey).toBe(CREDENTIALS.klevuKey.value);
    expect(calls.find((c) => c.vendor === 'network-01')!.query.token).toBe(CREDENTIALS.network01Url.value);
    expect(calls.find((c) => c.vendor === 'network-02')!.headers['x-api-key']).toBe(CREDENTIALS.network02Header.value);
    expect(calls.find((c) => c.vendor === 'network-03')!.query.token).toBe(CREDENTIALS.network03Url.value);
    const awin = calls.find((c) => c.vendor === 'awin')!;
    expect([awin.query.token, awin.headers['x-auth-token']]).toEqual([CREDENTIALS.awinUrlToken.value, CREDENTIALS.awinHeader.value]);
    const status = await api({
      method: 'GET',
      path: `/v1/conversions/${encodeURIComponent(ORDER)}`,
      route: '/v1/conversions/{orderId}',
      pathParameters: { orderId: ORDER },
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(status.statusCode).toBe(200);
    expect(status.body.deliveries.map((d: { vendor: string; status: string }) => [d.vendor, d.status])).toEqual(destinations().map((d) => [d, 'sent']));
  }, 180_000);

  it('a dry run plans every destination with the exact requests, and records, queues and calls nothing', async () => {
    const before = sandbox.requests().length;
    const planned = await api({ method: 'POST', path: '/v1/conversions', headers: authorised(), body: orderBody(DRY_ORDER, { dryRun: true }) });
    expect(planned.statusCode).toBe(200);
    expect(planned.body.dryRun).toBe(true);
    expect(planned.body.deliveries.map((d: { vendor: string; status: string }) => [d.vendor, d.status])).toEqual(destinations().map((d) => [d, 'planned']));
    const kelkoo = planned.body.deliveries.find((d: { vendor: string }) => d.vendor === 'kelkoo');
    expect(kelkoo.requests).toEqual([expect.objectContaining({ method: 'GET', url: expect.stringContaining(`orderId=${DRY_ORDER}`) })]);
    const raptor = planned.body.deliveries.find((d: { vendor: string }) => d.vendor === 'raptor');
    expect(raptor.requests).toHaveLength(2);
    // The conversion function holds no credential: its dry run shows each one redacted, a URL with its host.
    const answer = JSON.stringify(planned.body);
    for (const credential of Object.values(CREDENTIALS)) expect(answer).not.toContain(credential.value);
    const klevu = planned.body.deliveries.find((d: { vendor: string }) => d.vendor === 'klevu');
    expect(JSON.parse(klevu.requests[0].body)[0].event_apikey).toBe('[redacted]');
    const awin = planned.body.deliveries.find((d: { vendor: string }) => d.vendor === 'awin');
    expect(awin.requests[0]).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\*+/), headers: { 'X-Auth-Token': '[redacted]' } });

    for (const destination of destinations()) {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: consumedQueue(senderOf(destination)).url, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect({ destination, waiting: Attributes?.ApproximateNumberOfMessages }).toEqual({ destination, waiting: '0' });
    }
    const status = await api({
      method: 'GET',
      path: `/v1/conversions/${DRY_ORDER}`,
      route: '/v1/conversions/{orderId}',
      pathParameters: { orderId: DRY_ORDER },
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(status.statusCode).toBe(404);
    expect(sandbox.requests().length).toBe(before);
  });
});

describe('a cancellation through the bundles', () => {
  it('the cancellation bundle queues the call of a sale sent to a postback with a cancel template; its sender bundle makes it', async () => {
    const cancelled = await api({
      method: 'POST',
      path: `/v1/conversions/${encodeURIComponent(ORDER)}/cancellation`,
      route: '/v1/conversions/{orderId}/cancellation',
      pathParameters: { orderId: ORDER },
      headers: authorised(),
      body: { reason: 'returned' },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.body.deliveries.find((d: { vendor: string }) => d.vendor === 'awin')).toMatchObject({ status: 'sent', cancellation: { status: 'queued' } });
    const before = sandbox.requests().length;
    expect(await deliverQueue('awin-cancel')).toEqual({ received: 1, failures: [] });
    const calls = sandbox.requests().slice(before);
    expect(calls.map((c) => [c.vendor, new URL(c.url, 'http://x').pathname, c.violations])).toEqual([['awin', '/sandbox/awin/cancel.php', []]]);
  }, 60_000);

  it('every delivery-ratio alarm divides counts the bundles published, exactly as named: cancellation destinations too', () => {
    // The embedded-metric-format records every function wrote: namespace, metric and dimension set with its values.
    const published = new Set<string>();
    for (const fn of everyProcess()) {
      for (const line of fn.logLines()) {
        const record = line as { _aws?: { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
        for (const directive of record?._aws?.CloudWatchMetrics ?? []) {
          for (const dimensions of directive.Dimensions) {
            const values = [...dimensions].sort().map((name) => `${name}=${String(record[name])}`);
            for (const metric of directive.Metrics) published.add(`${directive.Namespace} ${metric.Name} ${values.join(',')}`);
          }
        }
      }
    }
    const ratioAlarms = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && String(r.Properties.AlarmName).endsWith('-delivery-ratio'),
    );
    expect(ratioAlarms).toHaveLength(queuedDestinationsOf(config).length);
    const unpublished: string[] = [];
    for (const alarm of ratioAlarms) {
      for (const query of alarm.Properties.Metrics as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] } } }[]) {
        if (!query.MetricStat) continue;
        const { Namespace, MetricName, Dimensions } = query.MetricStat.Metric;
        const key = `${Namespace} ${MetricName} ${[...Dimensions].sort((a, b) => a.Name.localeCompare(b.Name)).map((d) => `${d.Name}=${d.Value}`).join(',')}`;
        if (!published.has(key)) unpublished.push(`${alarm.Properties.AlarmName}: ${key}`);
      }
    }
    expect(unpublished).toEqual([]);
  });
});

describe('a retried and a parked delivery, and the listing of what was not sent', () => {
  /** A visitor with one click id, for network-NN only, and an order of it: one delivery, to that postback. */
  async function oneDeliveryOrder(orderId: string, network: string): Promise<void> {
    const param = `n${network.slice(-2)}_click`;
    const sessionId = `art-${orderId.toLowerCase()}`;
    const captured = await api({ method: 'POST', path: '/v1/clicks', headers: authorised(), body: { visitor: { sessionId }, landingUrl: `https://www.shop.example/?${param}=c-${orderId}` } });
    expect(captured.statusCode).toBe(201);
    const { shopper: _none, ...withoutShopper } = orderBody(orderId);
    const accepted = await api({ method: 'POST', path: '/v1/conversions', headers: authorised(), body: { ...withoutShopper, visitor: { sessionId } } });
    expect(accepted.body.deliveries.filter((d: { status: string }) => d.status === 'queued')).toEqual([{ vendor: network, status: 'queued' }]);
  }

  const statusOf = async (orderId: string, vendor: string) => {
    const answer = await api({ method: 'GET', path: `/v1/conversions/${orderId}`, route: '/v1/conversions/{orderId}', pathParameters: { orderId }, headers: authorised() });
    return answer.body.deliveries.find((d: { vendor: string }) => d.vendor === vendor) as { status: string; attempts: number };
  };

  it('a vendor answering 503 once: the sender sends its message again with a delay, and the copy is delivered', async () => {
    await oneDeliveryOrder('ART-RETRY', 'network-04');
    sandbox.setBehaviour('network-04', { status: 503, times: 1 });
    expect(await deliverQueue('network-04')).toEqual({ received: 1, failures: [] });
    expect(await statusOf('ART-RETRY', 'network-04')).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(await deliverQueue('network-04')).toEqual({ received: 1, failures: [] });
    expect(await statusOf('ART-RETRY', 'network-04')).toMatchObject({ status: 'sent', attempts: 2 });
  }, 60_000);

  it('a vendor refusing a sale (400): the sender parks it in its dead-letter queue, and GET /v1/deliveries lists it', async () => {
    await oneDeliveryOrder('ART-PARK', 'network-05');
    sandbox.setBehaviour('network-05', { status: 400, times: 1 });
    expect(await deliverQueue('network-05')).toEqual({ received: 1, failures: [] });
    expect(await statusOf('ART-PARK', 'network-05')).toMatchObject({ status: 'failed' });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: environmentOf(senderOf('network-05')).DEAD_LETTER_QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
    const listed = await api({ method: 'GET', path: '/v1/deliveries', query: 'status=failed', headers: authorised() });
    expect(listed.statusCode).toBe(200);
    expect(JSON.stringify(listed.body)).toContain('ART-PARK');
  }, 60_000);
});

describe('the alarm topic’s policy against the calls CloudWatch makes', () => {
  it('lets CloudWatch publish every alarm’s notification, on ALARM and on OK, to the alarm topic', () => {
    const notifications = alarmNotifications(template, resolver, REGION);
    const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    // Not vacuous: every alarm notifies the stack's topic twice (ALARM and OK), and nothing outside the template.
    expect(notifications).toHaveLength(2 * alarms.length);
    expect(notifications.filter((n) => n.decision === undefined)).toEqual([]);
    expect(notifications.filter((n) => n.decision !== 'allowed').map((n) => `${n.alarmName} → ${n.topicArn}: ${n.decision}`)).toEqual([]);
  });

  it('refuses the same publish for an alarm of another stack or another account, and without TLS', () => {
    const [first] = alarmNotifications(template, resolver, REGION);
    const topicId = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::SNS::Topic')![0];
    const statements = resolver.resolve(topicPolicyStatements(template, topicId)) as Statement[];
    const publish = (alarmName: string, account?: string) => cloudWatchPublish(first!.topicArn, alarmName, { region: REGION, ...(account ? { account } : {}) });
    expect(evaluateResourcePolicy(statements, publish(first!.alarmName))).toBe('allowed');
    expect(evaluateResourcePolicy(statements, publish('OtherStack-api-server-errors'))).toBe('implicit-deny');
    expect(evaluateResourcePolicy(statements, publish(first!.alarmName, '111122223333'))).toBe('implicit-deny');
    const plain = publish(first!.alarmName);
    expect(evaluateResourcePolicy(statements, { ...plain, context: { ...plain.context, 'aws:SecureTransport': 'false' } })).toBe('explicit-deny');
  });

  it('fails a topic policy that only denies publishing without TLS (enforceSSL alone): no alarm could notify anybody', () => {
    // The policy as it was before CloudWatch was allowed: the template's own, with its Allow statements removed.
    const denyOnly = structuredClone(template);
    for (const resource of Object.values(denyOnly.Resources)) {
      if (resource.Type !== 'AWS::SNS::TopicPolicy') continue;
      const document = resource.Properties.PolicyDocument as { Statement: Statement[] };
      document.Statement = document.Statement.filter((statement) => statement.Effect === 'Deny');
      expect(document.Statement).toHaveLength(1);
    }
    const notifications = alarmNotifications(denyOnly, resolver, REGION);
    expect(notifications.length).toBeGreaterThan(0);
    expect(new Set(notifications.map((n) => n.decision))).toEqual(new Set(['implicit-deny']));
  });
});

describe('X-Ray, with observability.tracing', () => {
  const annotated = (documents: XrayDocument[], name: string) => documents.filter((d) => d.name === name).map((d) => d.annotations ?? {});

  it('traces the conversion function: the invocation, each DynamoDB call and each message to a delivery queue, annotated with the order and destination', () => {
    const documents = xray.documents();
    const orderTrace = documents.find((d) => d.name === '## conversion' && d.annotations?.orderId === ORDER);
    expect(orderTrace).toBeDefined();
    const inOrderTrace = documents.filter((d) => d.trace_id === orderTrace!.trace_id);
    const dynamo = annotated(inOrderTrace, 'DynamoDB');
    expect(dynamo.length).toBeGreaterThan(0);
    expect(dynamo.every((a) => a.orderId === ORDER)).toBe(true);
    const queued = annotated(inOrderTrace, 'SQS');
    expect(queued.map((a) => a.destination).sort()).toEqual(destinationsOf(config).map((d) => d.id).sort());
    expect(queued.every((a) => a.orderId === ORDER)).toBe(true);
  });

  it('traces Klevu’s sender: each message, its DynamoDB calls and the vendor call by the vendor’s host only, annotated with the order and destination', () => {
    const documents = xray.documents();
    const message = documents.find((d) => d.name === '## klevu' && d.annotations?.orderId === ORDER);
    expect(message?.annotations).toEqual({ orderId: ORDER, destination: 'klevu' });
    const inTrace = documents.filter((d) => d.trace_id === message!.trace_id);
    const dynamo = annotated(inTrace, 'DynamoDB');
    expect(dynamo.length).toBeGreaterThan(0);
    for (const annotations of dynamo) expect(annotations).toEqual({ orderId: ORDER, destination: 'klevu' });
    const host = new URL(sandboxUrlOf()).host;
    const call = inTrace.find((d) => d.name === host);
    expect(call).toMatchObject({
      namespace: 'remote',
      annotations: { orderId: ORDER, destination: 'klevu' },
      http: { request: { method: 'POST', url: `http://${host}` }, response: { status: 200 } },
    });
  });

  it('traces nothing of the functions without the option, and records no credential, no shopper IP and no vendor path', () => {
    const names = new Set(xray.documents().filter((d) => d.name.startsWith('## ')).map((d) => d.name));
    expect([...names].sort()).toEqual(['## conversion', '## klevu', '## sender']);
    const everything = xray.raw().join('\n');
    for (const credential of Object.values(CREDENTIALS)) expect(everything).not.toContain(credential.value);
    expect(everything).not.toContain('203.0.113.7');
    expect(everything).not.toContain('/analytics/collect');
  });
});

/** What a function is, for judging its grants (test/artifacts/unused-grants.ts). */
function kindOf(fn: LambdaFunction): FunctionKind {
  const destination = fn.environment.DESTINATION_ID;
  if (destination === undefined) return 'api';
  return cancelDestinationsOf(config).some((d) => d.id === destination) ? 'cancellation sender' : 'sale sender';
}

/** The ARNs that are `fn`'s own: its log group, queues and the table. */
function ownResources(fn: LambdaFunction): OwnResources {
  const environment = environmentOf(fn);
  const queueArn = (url: string | undefined) => (url ? `arn:aws:sqs:${REGION}:000000000000:${url.split('/').pop()}` : undefined);
  const logGroup = (fn.loggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
  const tableId = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::DynamoDB::Table')?.[0];
  const own = {
    logGroup: logGroup ? resolver.arn(logGroup) : undefined,
    queue: queueArn(environment.QUEUE_URL),
    deadLetterQueue: queueArn(environment.DEAD_LETTER_QUEUE_URL),
    cancellationQueue: queueArn(environment.CANCELLATION_QUEUE_URL),
    table: tableId ? resolver.arn(tableId) : undefined,
  };
  return Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)) as OwnResources;
}

/**
 * The grants of `roles` that no call of `calls` used and that no other function judged with them used either (a
 * sender's own copy), and that ALLOWED_UNUSED_GRANTS does not explain; and the ones it explains.
 */
function judgeUnusedGrants(roles: Array<{ fn: LambdaFunction; statements: Statement[] }>, calls: (fn: LambdaFunction) => { action: string; resource: string }[]) {
  const judged = roles.map(({ fn, statements }) => {
    const kind = kindOf(fn);
    const own = ownResources(fn);
    const relative = (g: { action: string; resource: string }) => relativeGrant(g.action, g.resource, own);
    const granted = unusedGrants(statements, []).map(relative);
    const unused = unusedGrants(statements, calls(fn)).map(relative);
    return { fn, kind, granted, unused };
  });
  const key = (fn: LambdaFunction, kind: FunctionKind, g: RelativeGrant) => `${judgedWith(kind, g, fn.logicalId)} ${g.action} ${g.resource}`;
  const used = new Set(
    judged.flatMap(({ fn, kind, granted, unused }) =>
      granted.filter((g) => !unused.some((u) => u.action === g.action && u.resource === g.resource)).map((g) => key(fn, kind, g)),
    ),
  );
  const unexplained: string[] = [];
  const explained = new Map<string, string>();
  for (const { fn, kind, unused } of judged) {
    for (const grant of unused) {
      if (used.has(key(fn, kind, grant))) continue;
      const allowed = allowance(kind, grant);
      if (allowed) explained.set(`${kind}: ${grant.action} on ${grant.resource}`, allowed.reason);
      else unexplained.push(`${fn.logicalId} (${kind}): ${grant.action} on ${grant.resource}`);
    }
  }
  return { unexplained, explained };
}

describe('IAM against the calls the bundles made', () => {
  const callsOf = (fn: LambdaFunction) =>
    proxy.calls.filter((c) => c.caller === fn.logicalId).flatMap((c) => c.resources.map((resource) => ({ action: c.action, resource })));
  const rolesOf = () => functions.map((fn) => ({ fn, statements: resolver.resolve(roleStatements(template, fn.roleId)) as Statement[] }));

  it('leaves no grant unused but those the allow-list explains (test/artifacts/unused-grants.ts)', () => {
    const { unexplained, explained } = judgeUnusedGrants(rolesOf(), callsOf);
    expect(unexplained).toEqual([]);
    console.info(`Grants no recorded call used, as the allow-list explains them:\n${[...explained.keys()].map((g) => `  ${g}`).join('\n')}`);
  });

  it('would fail on a grant no call uses: the capture function with the BatchWriteItem it used to be granted', () => {
    const roles = rolesOf();
    const capture = roles.find((r) => r.fn.logicalId.startsWith('CaptureFunction'))!;
    const table = ownResources(capture.fn).table!;
    capture.statements = [...capture.statements, { Effect: 'Allow', Action: 'dynamodb:BatchWriteItem', Resource: table }];
    expect(judgeUnusedGrants(roles, callsOf).unexplained).toEqual([`${capture.fn.logicalId} (api): dynamodb:BatchWriteItem on <table>`]);
  });

  it('allows every recorded call under the caller’s role', () => {
    expect(proxy.unsigned).toEqual([]);
    expect(proxy.calls.length).toBeGreaterThan(0);
    const denied: string[] = [];
    for (const fn of functions) {
      const statements = resolver.resolve(roleStatements(template, fn.roleId)) as never;
      const calls = proxy.calls.filter((c) => c.caller === fn.logicalId).flatMap((c) => c.resources.map((resource) => ({ action: c.action, resource })));
      for (const call of calls) {
        const decision = evaluate(statements, call);
        if (decision !== 'allowed') denied.push(`${fn.logicalId}: ${call.action} on ${call.resource} (${decision})`);
      }
    }
    // Every call by a known function: a caller the template does not know would have escaped the check.
    const known = new Set(functions.map((f) => f.logicalId));
    expect(proxy.calls.filter((c) => !known.has(c.caller)).map((c) => c.caller)).toEqual([]);
    expect(denied).toEqual([]);
  });

  it('the functions logged neither the API key, a vendor credential nor the shopper’s IP address', () => {
    for (const fn of everyProcess()) {
      const text = fn.output.join('');
      for (const credential of Object.values(CREDENTIALS)) expect({ fn: fn.definition.logicalId, logged: text.includes(credential.value) }).toEqual({ fn: fn.definition.logicalId, logged: false });
      expect({ fn: fn.definition.logicalId, key: text.includes(API_KEY), ip: text.includes('203.0.113.7') }).toEqual({
        fn: fn.definition.logicalId,
        key: false,
        ip: false,
      });
    }
  });
});
