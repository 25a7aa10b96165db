/**
 * Makes the local SQS server count receives the way SQS does.
 *
 * local-aws-sqs 2.0.x increments a message's ApproximateReceiveCount on ChangeMessageVisibility as well as on
 * ReceiveMessage, and its redrive check reads that count. Our senders used to change a failed message's visibility
 * once per attempt (that is how they backed off), and without this fix every attempt counted twice: a message
 * reported receive count 3 on its second attempt and went to the dead-letter queue after maxAttempts / 2 vendor
 * calls. They now back off with a delayed copy of the message, but still change a received message's visibility when
 * a multi-call delivery stops before the function's time runs out, and redrive scripts do. On SQS only a receive
 * counts (ApproximateReceiveCount: "the number of times a message has been received across all queues but not
 * deleted").
 *
 * The server keeps its messages in private fields, so the fix holds a weak reference to each stored message
 * (captured where the server stores it) and puts the count back after each visibility change.
 */
import type { createRequestHandler } from 'local-aws-sqs';

type SqsService = ReturnType<typeof createRequestHandler>['service'];
type Queue = SqsService['Queues'][number];

interface StoredMessage {
  MessageId: string;
  attributes: { ApproximateReceiveCount: string };
}

const FIXED = Symbol('receiveCountFixed');

/** The message id inside one of the server's receipt handles (Base64 of a UUID followed by a JSON object). */
function messageIdOf(receiptHandle: string): string | undefined {
  try {
    const text = Buffer.from(receiptHandle, 'base64').toString('utf8');
    const id = (JSON.parse(text.slice(text.indexOf('{'))) as { MessageId?: unknown }).MessageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function fixQueue(queue: Queue): void {
  const marked = queue as Queue & { [FIXED]?: true };
  if (marked[FIXED]) return;
  if (typeof queue.newRecord !== 'function' || typeof queue.changeVisibility !== 'function' || typeof queue.delete !== 'function') {
    // A later version changed its internals: fail loudly rather than run with double-counted receives.
    throw new Error('local-aws-sqs internals changed: the receive-count fix in local/sqs-receive-count.ts needs updating');
  }
  const stored = new Map<string, WeakRef<StoredMessage>>();

  const newRecord = queue.newRecord;
  queue.newRecord = (message: Record<string, any>, delay?: number) => {
    if (typeof message.MessageId === 'string') stored.set(message.MessageId, new WeakRef(message as StoredMessage));
    return newRecord(message, delay);
  };

  const changeVisibility = queue.changeVisibility;
  queue.changeVisibility = function (receiptHandle: string, visibilityTimeout: string): boolean {
    const id = messageIdOf(receiptHandle);
    const message = id === undefined ? undefined : stored.get(id)?.deref();
    const receives = message?.attributes.ApproximateReceiveCount;
    try {
      return changeVisibility.call(this, receiptHandle, visibilityTimeout);
    } finally {
      // The server's redrive timer reads the count when the timeout expires, i.e. after this line.
      if (message && receives !== undefined) message.attributes.ApproximateReceiveCount = receives;
    }
  };

  const remove = queue.delete;
  queue.delete = function (receiptHandle: string): boolean {
    const removed = remove.call(this, receiptHandle);
    const id = messageIdOf(receiptHandle);
    if (removed && id !== undefined) stored.delete(id);
    return removed;
  };

  marked[FIXED] = true;
}

/** Wraps the server's request handler so that every queue, including ones created later, counts receives like SQS. */
export function withSqsReceiveCounting(
  service: SqsService,
  handle: ReturnType<typeof createRequestHandler>['requestHandler'],
): ReturnType<typeof createRequestHandler>['requestHandler'] {
  return (request, response) => {
    // Queues appear through CreateQueue requests; fixing them before each request covers them before their first message.
    for (const queue of service.Queues) fixQueue(queue);
    return handle(request, response);
  };
}
