/**
 * `npm run smoke -- [--stage NAME | --stack NAME] [--region R] | --local | --url URL --key KEY`
 *
 * Checks a running service end to end without ever sending a sale to a vendor:
 * 1. `GET /v1/health` answers 200;
 * 2. a call without a key answers 401;
 * 3. a capture for a synthetic visitor (`smoke-…` session, `.invalid` landing URL) is stored;
 * 4. a **dry-run** conversion (`"dryRun": true`) for that visitor answers 200 with, per destination, the requests it
 *    would send or why it would skip – nothing recorded, queued or sent. A service that does not know `dryRun`
 *    refuses the body with 400 (the schema is strict), so a smoke run can never report a real sale;
 * 5. the status route answers 404 for the dry-run order id: nothing was recorded;
 * 6. the synthetic visitor's click records are erased again (`DELETE /v1/visitors`);
 * 7. with `--alarm-test` (deployed stack only): the API's 5xx alarm is set to ALARM and CloudWatch's record of each
 *    of its actions is read back: delivered to SNS, or refused and why (scripts/alarm-test.ts).
 * Prints one line per check and exits non-zero when any failed.
 *
 * Target: the deployed stack (default; `--stage`, default prod, or `--stack` by name, and `--region`), whose `ApiUrl` and
 * API key secret (`ApiKeysSecretArn`) are read from its outputs; `--local`, the local stack while `npm start`
 * runs; or any service by `--url` and `--key`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ALARM_TEST_ALARM, DEFAULT_STAGE, stackNameOf } from '../lib/constructs/naming';
import { alarmTest } from './alarm-test';
import {
  chosenLocalState,
  commandFailure,
  CommandIo,
  describeStack,
  outputValue,
  portOption,
  readApiKey,
  runAsScript,
  stackNameOption,
  TargetError,
} from './target';

const USAGE =
  'Usage: npm run smoke -- [--stage <name> | --stack <name>] [--region <region>] | --local [--port <port>] | --url <api url> --key <api key>\n' +
  `  (default) the deployed stack: --stage (default ${DEFAULT_STAGE}: stack ${stackNameOf(DEFAULT_STAGE)}) or --stack by name,\n` +
  '             --region (default: your AWS profile or AWS_REGION)\n' +
  '  --local    the local stack started with npm start; --port: the one on this port (default: PORT, else the only one running)\n' +
  '  --url/--key  any running service, e.g. --url http://localhost:3000 --key local-dev-key\n' +
  '  --alarm-test  deployed stack only: also sets the API alarm to ALARM and checks that CloudWatch delivered its\n' +
  '               notifications (alarm history); the alarm returns to its state at its next evaluation';

export interface SmokeTarget {
  description: string;
  /** Base URL; routes (`/v1/...`) are appended. */
  baseUrl: string;
  apiKey: string;
  /** The deployed stack the target is, if it is one: what `--alarm-test` works on. */
  deployed?: { stackName: string; region: string };
  /** `--alarm-test`: also check that the deployed stack's alarm notifications are delivered. */
  alarmTest?: boolean;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** The local stack's first API key: `local.apiKeys` of the configuration it runs with, else the default. */
function localApiKey(configFile: string | undefined): string {
  if (configFile) {
    try {
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as { local?: { apiKeys?: string[] } };
      if (config.local?.apiKeys?.[0]) return config.local.apiKeys[0];
    } catch {
      // Fall back to the default key.
    }
  }
  return 'local-dev-key';
}

export async function resolveTarget(argv: string[], stateFile?: string): Promise<SmokeTarget | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stage: { type: 'string' },
        stack: { type: 'string' },
        region: { type: 'string' },
        local: { type: 'boolean' },
        port: { type: 'string' },
        url: { type: 'string' },
        key: { type: 'string' },
        'alarm-test': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new TargetError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) return 'help';
  const deployed = values.stage !== undefined || values.stack !== undefined || values.region !== undefined;
  const explicit = values.url !== undefined || values.key !== undefined;
  const local = values.local === true || values.port !== undefined;
  if ([deployed, explicit, local].filter(Boolean).length > 1) {
    throw new TargetError(`Choose one target: --stage/--stack/--region, --local, or --url with --key.\n${USAGE}`);
  }
  if (values['alarm-test'] && (explicit || local)) {
    throw new TargetError(`--alarm-test works on the deployed stack only: elsewhere there are no CloudWatch alarms.\n${USAGE}`);
  }
  if (explicit) {
    if (!values.url || !values.key) throw new TargetError(`--url and --key go together.\n${USAGE}`);
    return { description: values.url, baseUrl: values.url, apiKey: values.key };
  }
  if (local) {
    const port = values.port === undefined ? undefined : portOption(values.port, USAGE);
    const state = chosenLocalState({ target: 'local', ...(port !== undefined ? { port } : {}) }, stateFile);
    if (!state?.baseUrl) throw new TargetError('The local stack is not running: start it with npm start');
    return { description: `the local stack at ${state.baseUrl}`, baseUrl: state.baseUrl, apiKey: localApiKey(state.configFile) };
  }
  const stack = await describeStack(stackNameOption(values, USAGE), values.region);
  const baseUrl = outputValue(stack, 'ApiUrl');
  const apiKey = await readApiKey(outputValue(stack, 'ApiKeysSecretArn'), stack.region);
  return {
    description: `stack ${stack.stackName} in ${stack.region} (${baseUrl})`,
    baseUrl,
    apiKey,
    deployed: { stackName: stack.stackName, region: stack.region },
    ...(values['alarm-test'] ? { alarmTest: true } : {}),
  };
}

interface Answer {
  status: number;
  body: any;
}

/** Runs every check against `target`; never throws for an HTTP outcome, only records it. */
export async function smoke(target: SmokeTarget, options: { timeoutMs?: number } = {}): Promise<CheckResult[]> {
  const base = target.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const call = async (method: string, path: string, body?: unknown, auth = true): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${target.apiKey}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: kept as text for the message.
    }
    return { status: response.status, body: parsed };
  };
  const results: CheckResult[] = [];
  const check = async (name: string, run: () => Promise<string | undefined>) => {
    try {
      const problem = await run();
      results.push({ name, ok: problem === undefined, detail: problem ?? '' });
    } catch (error) {
      results.push({ name, ok: false, detail: (error as Error).message });
    }
  };
  const unexpected = (answer: Answer, wanted: number) =>
    answer.status === wanted ? undefined : `expected HTTP ${wanted}, got ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`;

  const id = `smoke-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const visitor = { sessionId: id };
  const orderId = id;

  await check('health answers 200', async () => unexpected(await call('GET', '/v1/health', undefined, false), 200));
  await check('a call without a key answers 401', async () => unexpected(await call('GET', `/v1/conversions/${orderId}`, undefined, false), 401));
  await check('capture for a synthetic visitor', async () => {
    const answer = await call('POST', '/v1/clicks', { visitor, landingUrl: `https://smoke.invalid/?kk=${id}&gclid=${id}` });
    return answer.status === 200 || answer.status === 201 ? undefined : unexpected(answer, 201);
  });
  await check('dry-run conversion plans every destination', async () => {
    const answer = await call('POST', '/v1/conversions', {
      orderId,
      dryRun: true,
      visitor,
      currency: 'EUR',
      orderValue: 1,
      items: [{ productId: 'smoke', name: 'Smoke test (dry run)', unitPrice: 1, quantity: 1 }],
      shopper: { ip: '192.0.2.1' },
    });
    if (answer.status !== 200 || answer.body?.dryRun !== true) return unexpected(answer, 200) ?? `the answer is not a dry run: ${JSON.stringify(answer.body).slice(0, 300)}`;
    const deliveries = answer.body.deliveries as { vendor: string; status: string; requests?: { method: string; url: string }[]; reason?: string }[];
    const malformed = deliveries.filter(
      (d) => !(d.status === 'skipped' && d.reason) && !(d.status === 'planned' && d.requests?.length && d.requests.every((r) => r.method && r.url)),
    );
    if (malformed.length) return `unexpected plan for ${malformed.map((d) => d.vendor).join(', ')}`;
    const planned = deliveries.filter((d) => d.status === 'planned').map((d) => d.vendor);
    return planned.length || deliveries.length === 0 ? undefined : 'no destination was planned';
  });
  await check('the dry-run order is unknown to the status route (404)', async () => unexpected(await call('GET', `/v1/conversions/${orderId}`), 404));
  await check('the synthetic visitor is erased', async () => unexpected(await call('DELETE', '/v1/visitors', { visitor }), 200));
  return results;
}

export type RunIo = CommandIo;

/** The whole command; returns the exit code (0 every check passed). */
export async function run(argv: string[], io: RunIo): Promise<number> {
  let target: SmokeTarget | 'help';
  try {
    target = await resolveTarget(argv, io.stateFile);
  } catch (error) {
    return commandFailure(error, io, 'AWS');
  }
  if (target === 'help') {
    io.out(USAGE);
    return 0;
  }
  io.out(`Smoke test of ${target.description} (dry run: no vendor is called)`);
  const results = await smoke(target);
  if (target.alarmTest && target.deployed) {
    const cloudWatch = new CloudWatchClient({ region: target.deployed.region });
    try {
      results.push(...(await alarmTest(cloudWatch, { alarmName: ALARM_TEST_ALARM(target.deployed.stackName) })));
    } catch (error) {
      return commandFailure(error, io, target.description);
    } finally {
      cloudWatch.destroy();
    }
  }
  for (const result of results) (result.ok ? io.out : io.err)(`${result.ok ? 'ok  ' : 'FAIL'}  ${result.name}${result.ok ? '' : `: ${result.detail}`}`);
  const failed = results.filter((r) => !r.ok).length;
  io.out(failed ? `${failed} of ${results.length} checks failed` : `All ${results.length} checks passed`);
  return failed ? 1 : 0;
}

if (require.main === module) runAsScript(run);
