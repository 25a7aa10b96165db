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
 * 5. every vendor is called on a public https host: the hosts of the requests the dry run plans are printed per
 *    vendor and judged by the deploy guards' rules (lambdas/config/deploy-guards.ts: no loopback, private or
 *    link-local address, localhost, /sandbox/ path or plain http://, except a vendor's documented endpoint). A vendor
 *    the first dry run skips for want of a click id gets one captured for the synthetic visitor and a second dry run.
 *    Judged for a deployed stack and for `--url` on a public host; the local stack calls its own sandbox.
 *    `--allow-sandbox` reports a test deployment's sandbox hosts without failing;
 * 6. the status route answers 404 for the dry-run order id: nothing was recorded;
 * 7. the synthetic visitor's click records are erased again (`DELETE /v1/visitors`);
 * 8. with `--alarm-test` (deployed stack only): the API's 5xx alarm is set to ALARM and CloudWatch's record of each
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
import { endpointProblem, hostProblem } from '../lambdas/config/deploy-guards';
import { ALARM_TEST_ALARM, DEFAULT_STAGE, stackNameOf } from '../lib/constructs/naming';
import { SECRET_URL_PLACEHOLDER } from '../lambdas/config/credentials';
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
  '               notifications (alarm history); the alarm returns to its state at its next evaluation\n' +
  '  --allow-sandbox  a test deployment (-c allowSandbox=true): print vendor hosts on loopback, private addresses or\n' +
  '               plain http without failing';

export interface SmokeTarget {
  description: string;
  /** Base URL; routes (`/v1/...`) are appended. */
  baseUrl: string;
  apiKey: string;
  /** The deployed stack the target is, if it is one: what `--alarm-test` works on. */
  deployed?: { stackName: string; region: string };
  /** `--alarm-test`: also check that the deployed stack's alarm notifications are delivered. */
  alarmTest?: boolean;
  /**
   * Whether the hosts the vendors are called on are judged: a deployed stack, or `--url` on a public host. The local
   * stack (`--local`, or `--url` on loopback) calls its own vendor sandbox.
   */
  judgeVendorHosts?: boolean;
  /** `--allow-sandbox`: a test deployment's sandbox hosts are reported, not failed. */
  allowSandbox?: boolean;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** Lines printed under the check's own, indented: what it found (the vendors' hosts). */
  lines?: string[];
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
        'allow-sandbox': { type: 'boolean' },
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
  const sandbox = values['allow-sandbox'] ? { allowSandbox: true } : {};
  if (explicit) {
    if (!values.url || !values.key) throw new TargetError(`--url and --key go together.\n${USAGE}`);
    return { description: values.url, baseUrl: values.url, apiKey: values.key, judgeVendorHosts: !isLocalService(values.url), ...sandbox };
  }
  if (local) {
    const port = values.port === undefined ? undefined : portOption(values.port, USAGE);
    const state = chosenLocalState({ target: 'local', ...(port !== undefined ? { port } : {}) }, stateFile);
    if (!state?.baseUrl) throw new TargetError('The local stack is not running: start it with npm start');
    return { description: `the local stack at ${state.baseUrl}`, baseUrl: state.baseUrl, apiKey: localApiKey(state.configFile), judgeVendorHosts: false, ...sandbox };
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
    judgeVendorHosts: true,
    ...sandbox,
  };
}

/** Whether the service at `url` is a local stack (on localhost or loopback), whose vendors are its own sandbox. */
function isLocalService(url: string): boolean {
  try {
    const host = hostProblem(new URL(url).hostname);
    return host === 'localhost' || host === 'a loopback address';
  } catch {
    return false;
  }
}

/** One destination of a dry-run answer (lambdas/api/dry-run.ts). */
export interface PlannedDelivery {
  vendor: string;
  status: string;
  requests?: { method: string; url: string }[];
  reason?: string;
}

/**
 * The click ids a dry run's skipped destinations wanted, read from their reasons (`no live qc_clickid click identifier
 * for this visitor`, `no live raptor.coid and raptor.sid for this visitor: …`): query parameters, and the shop's own
 * cookie ids (`vendor.field`) as capture `identifiers`.
 */
export function missingClickIds(deliveries: PlannedDelivery[]): { params: string[]; identifiers: Record<string, string[]> } {
  const params = new Set<string>();
  const identifiers: Record<string, string[]> = {};
  for (const delivery of deliveries) {
    if (delivery.status !== 'skipped') continue;
    const names = /^no live ([\w.-]+(?:(?:, | or | and )[\w.-]+)*) (?:click identifier|for this visitor)/.exec(delivery.reason ?? '')?.[1];
    for (const name of names?.split(/, | or | and /) ?? []) {
      const [vendor, field] = name.split('.');
      if (field === undefined) params.add(name);
      else (identifiers[vendor!] ??= []).push(field);
    }
  }
  return { params: [...params], identifiers };
}

/**
 * The `every vendor is called on a public https host` check: per destination the hosts its planned requests go to
 * (`scheme://host[:port]`), each judged by endpointProblem, or why the dry run did not plan it. Fails when one is not
 * deployable, unless the target is not judged (the local stack) or `allowSandbox`.
 */
export function vendorHostsCheck(deliveries: PlannedDelivery[], target: Pick<SmokeTarget, 'judgeVendorHosts' | 'allowSandbox'>): CheckResult {
  const width = Math.max(0, ...deliveries.map((d) => d.vendor.length));
  const lines: string[] = [];
  const refused: string[] = [];
  for (const delivery of deliveries) {
    const label = delivery.vendor.padEnd(width);
    if (delivery.status !== 'planned' || !delivery.requests?.length) {
      lines.push(`${label}  not planned in the dry run: ${delivery.reason ?? delivery.status}`);
      continue;
    }
    // A URL kept in Secrets Manager is known to its sender alone: the API plans its calls with a placeholder.
    const requests = delivery.requests.filter((r) => !r.url.startsWith(SECRET_URL_PLACEHOLDER));
    if (requests.length === 0) {
      lines.push(`${label}  its URL is kept in Secrets Manager: only its sender knows the host`);
      continue;
    }
    const origins = [...new Set(requests.map((r) => new URL(r.url).origin))];
    const problems = [...new Set(requests.map((r) => endpointProblem(r.url)).filter((p): p is string => p !== undefined))];
    lines.push(`${label}  ${origins.join(', ')}${problems.length ? `  (${problems.join('; ')})` : ''}`);
    if (problems.length) refused.push(`${delivery.vendor} on ${origins.join(', ')}: ${problems.join('; ')}`);
  }
  const name = 'every vendor is called on a public https host';
  if (!target.judgeVendorHosts) return { name, ok: true, detail: '', lines: [...lines, 'not judged: the local stack calls its own vendor sandbox'] };
  if (refused.length && target.allowSandbox) {
    return { name, ok: true, detail: '', lines: [...lines, `allowed by --allow-sandbox, a test deployment: ${refused.length} vendor(s) reach no real vendor`] };
  }
  return {
    name,
    ok: refused.length === 0,
    detail: refused.length ? `${refused.join('; ')}. Deploy a configuration without sandbox endpoints (README, "Configure")` : '',
    lines,
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
  const dryRun = () =>
    call('POST', '/v1/conversions', {
      orderId,
      dryRun: true,
      visitor,
      currency: 'EUR',
      orderValue: 1,
      items: [{ productId: 'smoke', name: 'Smoke test (dry run)', unitPrice: 1, quantity: 1 }],
      shopper: { ip: '192.0.2.1' },
    });
  let planned: PlannedDelivery[] | undefined;
  await check('dry-run conversion plans every destination', async () => {
    const answer = await dryRun();
    if (answer.status !== 200 || answer.body?.dryRun !== true) return unexpected(answer, 200) ?? `the answer is not a dry run: ${JSON.stringify(answer.body).slice(0, 300)}`;
    const deliveries = answer.body.deliveries as PlannedDelivery[];
    planned = deliveries;
    const malformed = deliveries.filter(
      (d) => !(d.status === 'skipped' && d.reason) && !(d.status === 'planned' && d.requests?.length && d.requests.every((r) => r.method && r.url)),
    );
    if (malformed.length) return `unexpected plan for ${malformed.map((d) => d.vendor).join(', ')}`;
    return deliveries.some((d) => d.status === 'planned') || deliveries.length === 0 ? undefined : 'no destination was planned';
  });
  if (planned) {
    // A vendor skipped for want of its click id: capture one for the synthetic visitor and plan again, so that its
    // host is known too. The first plan stands for any vendor the second does not plan.
    const missing = missingClickIds(planned);
    if (missing.params.length || Object.keys(missing.identifiers).length) {
      const identifiers = Object.fromEntries(Object.entries(missing.identifiers).map(([vendor, fields]) => [vendor, Object.fromEntries(fields.map((f) => [f, id]))]));
      const captured = await call('POST', '/v1/clicks', { visitor, params: Object.fromEntries(missing.params.map((p) => [p, id])), identifiers }).catch(() => undefined);
      const again = captured && captured.status < 300 ? await dryRun().catch(() => undefined) : undefined;
      const second = new Map(((again?.status === 200 && (again.body?.deliveries as PlannedDelivery[] | undefined)) || []).map((d) => [d.vendor, d]));
      planned = planned.map((d) => (d.status !== 'planned' && second.get(d.vendor)?.status === 'planned' ? second.get(d.vendor)! : d));
    }
    results.push(vendorHostsCheck(planned, target));
  }
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
  for (const result of results) {
    (result.ok ? io.out : io.err)(`${result.ok ? 'ok  ' : 'FAIL'}  ${result.name}${result.ok ? '' : `: ${result.detail}`}`);
    for (const line of result.lines ?? []) io.out(`        ${line}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  io.out(failed ? `${failed} of ${results.length} checks failed` : `All ${results.length} checks passed`);
  return failed ? 1 : 0;
}

if (require.main === module) runAsScript(run);
