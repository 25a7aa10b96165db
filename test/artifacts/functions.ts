/**
 * A synthesised function running in its own Node process (lambda-runner.cjs), with the environment Lambda would give
 * it: the template's variables resolved to local equivalents, Lambda's own variables, its own access key id (so the
 * recording proxy knows who calls), and `AWS_ENDPOINT_URL` – nothing of the test process's environment.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { LambdaFunction, Resolver } from './cloudformation';

export interface InvokeError {
  name?: string;
  message?: string;
  stack?: string;
}

export class RunningFunction {
  /** Everything the function wrote to stdout and stderr: its log lines. */
  readonly output: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  /** Whether the process has ended (stopped after its work, or crashed). */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Time from process start to the handler module being loaded, as the runner measured it. */
  initMs?: number;
  readonly ready: Promise<void>;

  constructor(
    readonly definition: LambdaFunction,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (message: any) => {
        if (message.type === 'ready') {
          this.initMs = message.initMs;
          resolve();
        } else if (message.type === 'init-error') {
          reject(new Error(`${definition.logicalId} failed at init: ${message.error.message}\n${message.error.stack}`));
        } else {
          const waiting = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.type === 'result') waiting?.resolve(message.result);
          else waiting?.reject(Object.assign(new Error(`${definition.logicalId} threw: ${message.error.message}`), { invokeError: message.error }));
        }
      });
      child.on('exit', (code) => {
        const error = new Error(`${definition.logicalId} exited with code ${code}:\n${this.output.join('').slice(-4000)}`);
        reject(error);
        for (const waiting of this.pending.values()) waiting.reject(error);
        this.pending.clear();
      });
    });
    this.ready.catch(() => undefined);
  }

  /** Invokes the handler with `event`; each invocation gets an X-Ray trace header of its own, sampled, as Lambda gives. */
  async invoke<T = any>(event: unknown): Promise<T> {
    await this.ready;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ type: 'invoke', id, event, traceId: newTraceHeader() });
    });
  }

  /** The log lines parsed as JSON (Powertools writes one object per line); others are returned as text. */
  logLines(): unknown[] {
    return this.output
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return line;
        }
      });
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

/** `Root=1-<time>-<24 hex>;Parent=<16 hex>;Sampled=1`, as Lambda puts in `_X_AMZN_TRACE_ID` for a sampled request. */
export function newTraceHeader(): string {
  const hex = (bytes: number) => randomBytes(bytes).toString('hex');
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(12)};Parent=${hex(8)};Sampled=1`;
}

/** The environment of `fn`: what Lambda sets, then the template's variables resolved. */
export function lambdaEnvironment(fn: LambdaFunction, resolver: Resolver, region: string, endpoint: string): Record<string, string> {
  const variables = resolver.resolve(fn.environment) as Record<string, unknown>;
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') throw new Error(`${fn.logicalId}: variable ${name} did not resolve to a string: ${JSON.stringify(value)}`);
  }
  const name = `ConversionTracking-prod-${fn.logicalId}`;
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: fn.assetDir,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeout),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef',
    ...(fn.loggingConfig?.LogFormat === 'JSON'
      ? { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: fn.loggingConfig.ApplicationLogLevel ?? 'INFO' }
      : {}),
    // Per-function credentials: the recording proxy reads the caller from the access key id.
    AWS_ACCESS_KEY_ID: fn.logicalId,
    AWS_SECRET_ACCESS_KEY: 'artifact-test-secret',
    AWS_SESSION_TOKEN: 'artifact-test-session',
    AWS_ENDPOINT_URL: endpoint,
    ...(variables as Record<string, string>),
  };
}

export function startFunction(fn: LambdaFunction, environment: Record<string, string>): RunningFunction {
  const child = fork(join(__dirname, 'lambda-runner.cjs'), [], {
    cwd: fn.assetDir,
    env: environment,
    // The template's environment comes through `env`; nothing of jest's own flags.
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new RunningFunction(fn, child);
}
