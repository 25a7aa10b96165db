/**
 * `npm run redrive -- <destination> [--only failed|dead-lettered] [--order <id>] [--local|--deployed] [--stage <name> | --stack <name>]
 *   [--region <region>]`
 *
 * Moves every message in a destination's dead-letter queue back to its delivery queue with SQS's own message move
 * task (StartMessageMoveTask), waits for the task to finish and prints how many messages moved. The sender then
 * delivers them again. Redriving is safe for orders already delivered: the sender claims each delivery with a
 * conditional write and makes no vendor call for one already `sent`. The dead-letter queue holds two kinds of
 * messages: deliveries the vendor refused, parked there by the sender (`failed`, marked PARKED_ATTRIBUTE; the sender
 * re-opens them when they come back), and deliveries whose attempts ran out, moved there by SQS (`dead-lettered`).
 * `--only` and `--order` move a subset, message by message (`redriveSelected`).
 *
 * Target: the local stack (`npm start`) with `--local`, or by default while it runs; otherwise – or with
 * `--deployed`, `--stage`, `--stack` or `--region` – the deployed stack, whose queue URLs are read from its CloudFormation
 * outputs (`deliveryOutputNames`).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ListMessageMoveTasksResultEntry,
  Message,
  MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { PARKED_ATTRIBUTE } from '../lambdas/store/delivery-queues';
import { CommandError, CommandIo, explainAwsError, parseCommand, resolveTarget, runAsScript, runOnTarget } from './target';
import { TARGET_USAGE, targetArguments, TargetArguments } from './target';

export { destinationsFromOutputs, explainAwsError, readLocalState };
import { destinationsFromOutputs, readLocalState } from './target';

const USAGE =
  'Usage: npm run redrive -- <destination> [--only failed|dead-lettered] [--order <orderId>] [--local | --deployed] ' +
  '[--stage <name> | --stack <name>] [--region <region>]\n' +
  '  --only       only the messages parked after a refusal (failed) or moved after the last attempt (dead-lettered)\n' +
  '  --order      only the messages of this order\n' +
  TARGET_USAGE;

/** A failure the operator can act on: printed as one line, without a stack trace. */
export class RedriveError extends CommandError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedriveError';
  }
}

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
// A subset: --only failed|dead-lettered, --order <id>

/** Which kind of dead-letter message: parked by a sender after a refusal (`failed`) or moved by SQS (`dead-lettered`). */
export type ParkedKind = 'failed' | 'dead-lettered';

export interface RedriveFilter {
  only?: ParkedKind;
  orderId?: string;
}

/** What a dead-letter message is: parked messages carry PARKED_ATTRIBUTE, the others were moved by SQS. */
export function kindOf(message: Message): ParkedKind {
  return message.MessageAttributes?.[PARKED_ATTRIBUTE]?.StringValue === 'failed' ? 'failed' : 'dead-lettered';
}

/** The order id of a dead-letter message: its `orderId` attribute, else the body's `order.orderId`. */
export function orderIdOf(message: Message): string | undefined {
  const attribute = message.MessageAttributes?.orderId?.StringValue;
  if (attribute) return attribute;
  try {
    const id = (JSON.parse(message.Body ?? '') as { order?: { orderId?: unknown } }).order?.orderId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Moves the dead-letter messages matching `filter` back to the delivery queue, one by one: each is sent to the
 * delivery queue (body and attributes intact) before it is deleted from the dead-letter queue, so an interruption
 * leaves a copy in both (harmless: the sender's claim) rather than none. The others are made visible again at the end.
 * SQS's move task cannot filter, hence this slower path for a subset.
 */
export async function redriveSelected(
  queues: { sqs: SQSClient; deadLetterQueueUrl: string; queueUrl: string },
  filter: RedriveFilter,
  options: { onMoved?: (moved: number) => void } = {},
): Promise<{ moved: number; kept: number }> {
  const { sqs, deadLetterQueueUrl, queueUrl } = queues;
  const seen = new Set<string>();
  const kept: string[] = [];
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        // Long enough to scan the whole queue; the messages kept are made visible again below.
        VisibilityTimeout: 300,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId!);
      const matches = (!filter.only || kindOf(message) === filter.only) && (!filter.orderId || orderIdOf(message) === filter.orderId);
      if (!matches) {
        kept.push(message.ReceiptHandle!);
        continue;
      }
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.Body!,
          ...(message.MessageAttributes ? { MessageAttributes: copyAttributes(message.MessageAttributes) } : {}),
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle! }));
      moved++;
      options.onMoved?.(moved);
    }
  }
  // One by one rather than in batches of ten: a batch reports a refused entry in its answer instead of failing.
  for (const ReceiptHandle of kept) {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle, VisibilityTimeout: 0 }));
  }
  return { moved, kept: kept.length };
}

function copyAttributes(attributes: Record<string, MessageAttributeValue>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      { DataType: value.DataType, ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}), ...(value.BinaryValue ? { BinaryValue: value.BinaryValue } : {}) },
    ]),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Command line

export interface RedriveArguments extends TargetArguments {
  destination: string;
  filter: RedriveFilter;
}

export function parseArguments(argv: string[]): RedriveArguments | 'help' {
  const { values, positionals } = parseCommand(argv, USAGE, { only: { type: 'string' }, order: { type: 'string' } }, true);
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new RedriveError(`Name exactly one destination, e.g. kelkoo.\n${USAGE}`);
  if (values.only !== undefined && values.only !== 'failed' && values.only !== 'dead-lettered') {
    throw new RedriveError(`--only must be failed or dead-lettered, not ${JSON.stringify(values.only)}.\n${USAGE}`);
  }
  if (values.order !== undefined && values.order === '') throw new RedriveError(`--order needs an order id.\n${USAGE}`);
  return {
    destination: positionals[0]!,
    ...targetArguments(values, USAGE),
    filter: { ...(values.only ? { only: values.only as ParkedKind } : {}), ...(values.order ? { orderId: values.order } : {}) },
  };
}

export interface RunIo extends CommandIo {
  /** Polling and timeout of the move task. */
  options?: Omit<RedriveOptions, 'onProgress'>;
}

/** The whole command; returns the exit code (0 done or nothing to do, 1 anything else). */
export async function run(argv: string[], io: RunIo): Promise<number> {
  return runOnTarget(io, async (use) => {
    const args = parseArguments(argv);
    if (args === 'help') {
      io.out(USAGE);
      return 0;
    }
    const target = use(await resolveTarget(args, io.stateFile));

    const queues = target.queues.get(args.destination);
    if (!queues) {
      const known = [...target.queues.keys()];
      throw new RedriveError(
        `Unknown destination "${args.destination}" on ${target.description}. ` +
          (known.length ? `Known destinations: ${known.join(', ')}` : 'It has no destinations.'),
      );
    }
    const deadLetterQueueUrl = queues.deadLetterQueue ?? (await deadLetterQueueOf(target.sqs, queues.queue));

    if (args.filter.only || args.filter.orderId) {
      const subset = [args.filter.only ?? 'failed and dead-lettered', args.filter.orderId ? `of order ${args.filter.orderId}` : '']
        .filter(Boolean)
        .join(' ');
      io.out(`Redriving the ${subset} messages of ${args.destination} on ${target.description}…`);
      const { moved, kept } = await redriveSelected({ sqs: target.sqs, deadLetterQueueUrl, queueUrl: queues.queue }, args.filter);
      io.out(
        `Moved ${moved} message(s) back to the ${args.destination} delivery queue; ${kept} other message(s) stay in its ` +
          'dead-letter queue. The sender delivers them again; an order already sent to this destination is not sent twice.',
      );
      return 0;
    }

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
  });
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

if (require.main === module) runAsScript(run);
