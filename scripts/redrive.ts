/**
 * `npm run redrive -- <destination> [--local|--deployed] [--stack <name>] [--region <region>]`
 *
 * Moves every message in a destination's dead-letter queue back to its delivery queue with SQS's own message move
 * task (StartMessageMoveTask), waits for the task to finish and prints how many messages moved. The sender then
 * delivers them again. Redriving is safe for orders already delivered: the sender claims each delivery with a
 * conditional write and makes no vendor call for one already `sent`.
 *
 * Target: the local stack (`npm start`) with `--local`, or by default while it runs; otherwise – or with
 * `--deployed`, `--stack` or `--region` – the deployed stack, whose queue URLs are read from its CloudFormation
 * outputs (`deliveryOutputNames`).
 */
import { parseArgs } from 'node:util';
import type { Output } from '@aws-sdk/client-cloudformation';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ListMessageMoveTasksResultEntry,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { deliveryOutputNames, STACK_NAME } from '../lib/constructs/naming';
import { LOCAL_STATE_FILE } from '../local/config';
import { LOCAL_AWS } from '../local/services';
import { describeStack, explainAwsError, LocalState, readLocalState, TargetError } from './target';

/** Written by `npm start` (local/start.ts) while the local stack runs, removed when it stops. */
export { LOCAL_STATE_FILE };

const USAGE =
  'Usage: npm run redrive -- <destination> [--local | --deployed] [--stack <name>] [--region <region>]\n' +
  '  --local      the local stack started with npm start (the default while it runs)\n' +
  `  --deployed   the deployed stack (the default otherwise): --stack (default ${STACK_NAME}), --region (default: ` +
  'your AWS profile or AWS_REGION)';

/** A failure the operator can act on: printed as one line, without a stack trace. */
export class RedriveError extends TargetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedriveError';
  }
}

export { explainAwsError, readLocalState };

export interface RedriveQueues {
  sqs: SQSClient;
  /** The dead-letter queue to empty. */
  deadLetterQueueUrl: string;
  /** The delivery queue its messages go back to. */
  queueArn: string;
}

export interface RedriveOptions {
  /** How often the task's progress is read. Default 1 s. */
  pollIntervalMs?: number;
  /** Give up waiting after this long; the task itself carries on in SQS. Default 30 minutes. */
  timeoutMs?: number;
  /** Called with the task's state at every poll. */
  onProgress?: (moved: number, toMove: number | undefined) => void;
}

export type RedriveResult =
  /** Nothing visible in the dead-letter queue; `inFlight` messages are being read by someone and were not moved. */
  | { outcome: 'empty'; inFlight: number }
  | { outcome: 'completed'; moved: number }
  /** Cancelled (by an operator, in the console) or failed (e.g. the delivery queue was deleted) part way. */
  | { outcome: 'cancelled' | 'failed'; moved: number; reason?: string };

const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new RedriveError(`SQS returned no ARN for ${queueUrl}`);
  return Attributes.QueueArn;
}

/**
 * Moves every visible message of the dead-letter queue to the delivery queue and waits for the move to end.
 * An empty queue starts no task.
 */
export async function redrive(queues: RedriveQueues, options: RedriveOptions = {}): Promise<RedriveResult> {
  const { sqs, deadLetterQueueUrl, queueArn } = queues;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;

  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: deadLetterQueueUrl,
      AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const sourceArn = Attributes.QueueArn;
  if (!sourceArn) throw new RedriveError(`SQS returned no ARN for ${deadLetterQueueUrl}`);
  const visible = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  if (visible === 0) return { outcome: 'empty', inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };

  // Only one move task may run per source queue; naming the running one beats SQS's generic refusal.
  const earlier = await moveTasks(sqs, sourceArn);
  const running = earlier.find((task) => task.Status === 'RUNNING');
  if (running) {
    throw new RedriveError(
      `A redrive of this dead-letter queue is already running (${running.ApproximateNumberOfMessagesMoved ?? 0} moved so far); ` +
        'wait for it to finish, or cancel it in the SQS console',
    );
  }
  const startedBefore = Math.max(0, ...earlier.map((task) => task.StartedTimestamp ?? 0));

  const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: queueArn }));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A finished task no longer shows its handle; it is then the one started after every earlier task.
    const tasks = await moveTasks(sqs, sourceArn);
    const task =
      tasks.find((t) => TaskHandle !== undefined && t.TaskHandle === TaskHandle) ??
      tasks
        .filter((t) => (t.StartedTimestamp ?? 0) > startedBefore)
        .sort((a, b) => (b.StartedTimestamp ?? 0) - (a.StartedTimestamp ?? 0))[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    if (task) options.onProgress?.(moved, task.ApproximateNumberOfMessagesToMove);
    if (task?.Status && TERMINAL.has(task.Status)) {
      if (task.Status === 'COMPLETED') return { outcome: 'completed', moved };
      return {
        outcome: task.Status === 'FAILED' ? 'failed' : 'cancelled',
        moved,
        ...(task.FailureReason ? { reason: task.FailureReason } : {}),
      };
    }
    if (Date.now() > deadline) {
      throw new RedriveError(
        `The redrive is still running after ${Math.round(timeoutMs / 1000)} s (${moved} moved so far); it carries on in SQS. ` +
          'Follow it in the SQS console (dead-letter queue → "Redrive" tab)',
      );
    }
    await sleep(pollIntervalMs);
  }
}

async function moveTasks(sqs: SQSClient, sourceArn: string): Promise<ListMessageMoveTasksResultEntry[]> {
  return (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }))).Results ?? [];
}

// ---------------------------------------------------------------------------------------------------------------
// Command line

export interface RedriveArguments {
  destination: string;
  target: 'local' | 'deployed' | 'auto';
  stackName: string;
  region?: string;
}

export function parseArguments(argv: string[]): RedriveArguments | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        local: { type: 'boolean' },
        deployed: { type: 'boolean' },
        stack: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new RedriveError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new RedriveError(`Name exactly one destination, e.g. kelkoo.\n${USAGE}`);
  const deployedOnly = values.deployed || values.stack !== undefined || values.region !== undefined;
  if (values.local && deployedOnly) {
    throw new RedriveError(`--local cannot be combined with --deployed, --stack or --region.\n${USAGE}`);
  }
  return {
    destination: positionals[0]!,
    target: values.local ? 'local' : deployedOnly ? 'deployed' : 'auto',
    stackName: values.stack ?? STACK_NAME,
    ...(values.region ? { region: values.region } : {}),
  };
}

/** Where the command works: an SQS client and the queue pair of every destination found there. */
interface Target {
  description: string;
  sqs: SQSClient;
  /** Per destination id: its delivery queue URL and, when known up front, its dead-letter queue URL. */
  queues: Map<string, { queue: string; deadLetterQueue?: string }>;
}

function localTarget(state: LocalState): Target {
  if (!state.sqsEndpoint || !state.queueUrls) {
    throw new RedriveError('The local stack state file has no sqsEndpoint or queueUrls; restart npm start');
  }
  const queues = new Map<string, { queue: string; deadLetterQueue?: string }>();
  for (const [id, urls] of Object.entries(state.queueUrls)) {
    const queue = typeof urls === 'string' ? urls : urls.queue;
    if (!queue) continue;
    const deadLetterQueue = typeof urls === 'object' ? urls.deadLetterQueue : undefined;
    queues.set(id, { queue, ...(deadLetterQueue ? { deadLetterQueue } : {}) });
  }
  return {
    description: `the local stack (SQS at ${state.sqsEndpoint})`,
    sqs: new SQSClient({
      endpoint: state.sqsEndpoint,
      region: state.region ?? LOCAL_AWS.region,
      credentials: LOCAL_AWS.credentials,
    }),
    queues,
  };
}

/**
 * The destinations of a deployed stack, from its outputs: each has `<Name>QueueUrl` and `<Name>DeadLetterQueueUrl`
 * (`deliveryOutputNames`). The id is read back from the output's description ("Dead-letter queue of <id>; …"),
 * since `AwinFr` could have come from `awin-fr` or `awinfr`.
 */
export function destinationsFromOutputs(outputs: Output[]): Map<string, { queue: string; deadLetterQueue: string }> {
  const byKey = new Map(outputs.map((o) => [o.OutputKey ?? '', o]));
  const found = new Map<string, { queue: string; deadLetterQueue: string }>();
  for (const output of outputs) {
    const id = /^Dead-letter queue of (\S+);/.exec(output.Description ?? '')?.[1];
    if (!id) continue;
    const names = deliveryOutputNames(id);
    const queue = byKey.get(names.queueUrl)?.OutputValue;
    const deadLetterQueue = byKey.get(names.deadLetterQueueUrl)?.OutputValue;
    if (queue && deadLetterQueue) found.set(id, { queue, deadLetterQueue });
  }
  return found;
}

async function deployedTarget(stackName: string, region: string | undefined): Promise<Target> {
  const stack = await describeStack(stackName, region);
  return {
    description: `stack ${stackName} in ${stack.region}`,
    sqs: new SQSClient({ region: stack.region }),
    queues: destinationsFromOutputs(stack.outputs),
  };
}

export interface RunIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** The local stack's state file. Default LOCAL_STATE_FILE. */
  stateFile?: string;
  /** Polling and timeout of the move task. */
  options?: Omit<RedriveOptions, 'onProgress'>;
}

/** The whole command; returns the exit code (0 done or nothing to do, 1 anything else). */
export async function run(argv: string[], io: RunIo): Promise<number> {
  let target: Target | undefined;
  try {
    const args = parseArguments(argv);
    if (args === 'help') {
      io.out(USAGE);
      return 0;
    }

    const state = args.target === 'deployed' ? undefined : readLocalState(io.stateFile ?? LOCAL_STATE_FILE);
    if (args.target === 'local' && !state) throw new RedriveError('The local stack is not running: start it with npm start');
    target = state ? localTarget(state) : await deployedTarget(args.stackName, args.region);

    const queues = target.queues.get(args.destination);
    if (!queues) {
      const known = [...target.queues.keys()];
      throw new RedriveError(
        `Unknown destination "${args.destination}" on ${target.description}. ` +
          (known.length ? `Known destinations: ${known.join(', ')}` : 'It has no destinations.'),
      );
    }
    const deadLetterQueueUrl = queues.deadLetterQueue ?? (await deadLetterQueueOf(target.sqs, queues.queue));
    const queueArn = await queueArnOf(target.sqs, queues.queue);

    io.out(`Redriving the dead-letter queue of ${args.destination} on ${target.description}…`);
    let reported = -1;
    const result = await redrive(
      { sqs: target.sqs, deadLetterQueueUrl, queueArn },
      {
        ...io.options,
        onProgress: (moved, toMove) => {
          if (moved === reported) return;
          reported = moved;
          io.out(`  ${moved}${toMove !== undefined ? ` of ${toMove}` : ''} moved`);
        },
      },
    );
    switch (result.outcome) {
      case 'empty':
        io.out(
          `The dead-letter queue of ${args.destination} is empty: nothing to redrive.` +
            (result.inFlight
              ? ` (${result.inFlight} message(s) are being read elsewhere, e.g. in the SQS console; ` +
                'run again once they are back.)'
              : ''),
        );
        return 0;
      case 'completed':
        io.out(
          `Moved ${result.moved} message(s) back to the ${args.destination} delivery queue. The sender delivers them ` +
            'again; an order already sent to this destination is not sent twice.',
        );
        return 0;
      default:
        io.err(`The redrive was ${result.outcome} after ${result.moved} message(s)${result.reason ? `: ${result.reason}` : ''}`);
        return 1;
    }
  } catch (error) {
    if (error instanceof TargetError) {
      io.err(error.message);
      return 1;
    }
    const explained = explainAwsError(error, target?.description ?? 'AWS');
    if (explained) {
      io.err(explained);
      return 1;
    }
    throw error;
  } finally {
    target?.sqs.destroy();
  }
}

/** The queue's dead-letter queue, from its redrive policy: works on SQS and on the local server alike. */
async function deadLetterQueueOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
  const policy = Attributes?.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string }) : {};
  const arn = policy.deadLetterTargetArn;
  if (!arn) throw new RedriveError(`${queueUrl} has no dead-letter queue`);
  // arn:aws:sqs:<region>:<account>:<name>
  const [, , , , account, name] = arn.split(':');
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  if (!QueueUrl) throw new RedriveError(`SQS found no queue for ${arn}`);
  return QueueUrl;
}

if (require.main === module) {
  run(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
