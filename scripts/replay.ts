/**
 * `npm run replay -- <destination> (--order <orderId> | --since <when>) [--yes] [--config <file>] [--local | --deployed]
 * [--stack <name>] [--region <region>]`
 *
 * Sends a sale to a destination again once its message has left the queues. `npm run redrive` moves a dead-letter
 * queue back, but SQS keeps a message 14 days at most; a vendor misconfiguration found after three weeks is out of its
 * reach, while the order record lives `retentionDays` (400 by default). A replay rebuilds the message from that record
 * (lambdas/store/replay-records.ts): the order as reported without the shopper, the click id and the exclusive group's
 * verdict as the conversion decided them – never decided again – and puts it on the destination's queue. The sender
 * then sends it as it sends any message: rendered with the configuration it runs with now, once (its claim).
 *
 * Per order it:
 * - does nothing for a delivery already `sent` (so replaying twice sends once);
 * - refuses a cancelled order, a destination the conversion skipped, an order past the vendor's own reporting window
 *   (when its document states one: the adapter's `reportingWindowDays`), a destination whose call carries the
 *   shopper's IP, e-mail, country or city (Klevu: the IP), which the order record does not keep (docs/PRIVACY.md), and
 *   an order recorded before the record kept what a replay needs – each with the reason;
 * - records the rebuilt message's digest in the order's plan where it differs (the order without the shopper digests
 *   differently), since the sender sends only a message whose digest the plan records; a copy of the old message
 *   still in a dead-letter queue is then dropped rather than sent;
 * - marks the message of a `failed` delivery as a redriven parked one, so the sender re-opens it.
 *
 * It prints what it will send – each request as the dry run shows it (lambdas/api/dry-run.ts), built by the senders'
 * own `requestsFor` with the configuration file given (`--config`; the local stack's own file, or the one the CDK app
 * would choose) – and asks before queuing anything; `--yes` skips the question, for scripts.
 *
 * `--order` replays one order; `--since` every delivery to the destination whose last outcome – `failed`,
 * `dead-lettered` or `retrying` – was recorded since then, read from the unsettled index that GET /v1/deliveries lists
 * (no Scan). Target as for every operator command (scripts/target.ts): the table and queues of the local stack, or
 * of the deployed stack from its outputs, with the operator's AWS credentials.
 */
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dryRunDeliveries, PlannedRequest } from '../lambdas/api/dry-run';
import { Destination, destinationsOf, requestsFor } from '../lambdas/config/destinations';
import { chooseConfig, loadConfig } from '../lambdas/config/load';
import type { DeliveryMessage, DeliveryStatus } from '../lambdas/core/delivery';
import type { Order, Shopper } from '../lambdas/core/order';
import { SECONDS_PER_DAY } from '../lambdas/core/time';
import { documentClient } from '../lambdas/store/document-client';
import type { OrderPartition } from '../lambdas/store/order-partition';
import { queueReplayed, replayedMessage } from '../lambdas/store/replay-records';
import { TrackingStore, UNSETTLED_STATUSES } from '../lambdas/store/tracking-store';
import { LOCAL_AWS } from '../local/services';
import { parseSince } from './report';
import { CommandError, CommandIo, parseCommand, resolveTarget, runAsScript, runOnTarget, Target, TARGET_USAGE, targetArguments, TargetArguments } from './target';

const USAGE =
  'Usage: npm run replay -- <destination> (--order <orderId> | --since 7d|24h|2026-11-01) [--yes] [--config <file>] ' +
  '[--local | --deployed] [--stack <name>] [--region <region>]\n' +
  '  --order      the order to send again\n' +
  '  --since      every failed, dead-lettered or retrying delivery to the destination recorded since then: this long ago\n' +
  '               (days d, hours h), this UTC date or this date-time with its offset\n' +
  '  --yes        queue without asking (for scripts)\n' +
  '  --config     the configuration the requests are shown with (default: the local stack\'s own file, else the one\n' +
  '               the CDK app would choose: TRACKING_CONFIG, tracking.config.json, the example)\n' +
  TARGET_USAGE;

export interface ReplayArguments extends TargetArguments {
  destination: string;
  orderId?: string;
  since?: Date;
  yes: boolean;
  configPath?: string;
}

export function parseArguments(argv: string[], now: Date): ReplayArguments | 'help' {
  const { values, positionals } = parseCommand(
    argv,
    USAGE,
    { order: { type: 'string' }, since: { type: 'string' }, yes: { type: 'boolean', short: 'y' }, config: { type: 'string' } },
    true,
  );
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new CommandError(`Name exactly one destination, e.g. kelkoo.\n${USAGE}`);
  if ((values.order === undefined) === (values.since === undefined)) throw new CommandError(`Give either --order or --since.\n${USAGE}`);
  if (values.order === '') throw new CommandError(`--order needs an order id.\n${USAGE}`);
  if (values.config === '') throw new CommandError(`--config needs a file.\n${USAGE}`);
  let since: Date | undefined;
  if (values.since !== undefined) {
    try {
      since = parseSince(values.since, now);
    } catch {
      throw new CommandError(`--since must be like 7d, 24h, 2026-11-01 or a date-time with its offset, not ${JSON.stringify(values.since)}.\n${USAGE}`);
    }
  }
  return {
    destination: positionals[0]!,
    ...targetArguments(values, USAGE),
    ...(values.order !== undefined ? { orderId: values.order } : {}),
    ...(since ? { since } : {}),
    yes: values.yes === true,
    ...(values.config !== undefined ? { configPath: values.config } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What a replay does with one order

export type ReplayDecision =
  /** Rebuilt: `message` goes on the queue once the plan records its digest (`planIndex`: the plan entry). */
  | {
      kind: 'replay';
      orderId: string;
      /** The delivery's status now (`queued` when no sender ever claimed it). */
      status: DeliveryStatus;
      lastError?: string;
      message: DeliveryMessage;
      requests: PlannedRequest[];
      planIndex: number;
      recordedDigest?: string;
    }
  /** Already sent: nothing to do, ever. */
  | { kind: 'sent'; orderId: string; sentAt?: string }
  | { kind: 'refused'; orderId: string; reason: string };

/** Stand-ins for the shopper's values, to see whether a destination's call carries them (never sent anywhere). */
const SHOPPER_PROBE: Required<Shopper> = { ip: '192.0.2.1', email: 'replay-probe@example.invalid', country: 'ZZ', city: 'Replay probe' };
const SHOPPER_FIELD_NAMES: Record<keyof Shopper, string> = { ip: 'IP', email: 'e-mail', country: 'country', city: 'city' };

const REDRIVE_HINT = 'while its message is in the dead-letter queue (14 days at most), npm run redrive sends it as it was';

/**
 * Whether and what to replay of `orderId` to `destination`, from its order partition as read now (`undefined`: not
 * recorded). Pure: the reasons are the operator's, one line each.
 */
export function decideReplay(orderId: string, partition: OrderPartition | undefined, destination: Destination, now: Date): ReplayDecision {
  const refused = (reason: string): ReplayDecision => ({ kind: 'refused', orderId, reason });
  const id = destination.id;
  if (!partition) return refused('no such order is recorded (never reported, or its records expired after retentionDays)');
  const { order, deliveries } = partition;
  const record = deliveries.find((d) => d.destination === id);
  if (record?.status === 'sent') return { kind: 'sent', orderId, ...(record.sentAt ? { sentAt: record.sentAt } : {}) };
  if (order.cancellation || record?.status === 'cancelled') {
    const at = order.cancellation ? ` on ${order.cancellation.requestedAt}${order.cancellation.reason ? ` (${order.cancellation.reason})` : ''}` : '';
    return refused(`the order was cancelled${at}: a cancelled sale is never sent`);
  }
  const planIndex = order.plan.findIndex((p) => p.destination === id);
  const planned = order.plan[planIndex];
  if (!planned) return refused(`the order's plan has no delivery to ${id}: it was not a destination when the order was reported`);
  if (planned.status !== 'queued') {
    return refused(`the conversion skipped ${id}${planned.reason ? ` (${planned.reason})` : ''}: a replay sends only what the conversion decided to send`);
  }
  if (record?.leaseUntil !== undefined && record.leaseUntil > now.getTime()) {
    return refused(`a sender is sending it right now (until ${new Date(record.leaseUntil).toISOString()}): look again with npm run status`);
  }
  const replay = order.replay;
  const entry = replay?.destinations[id];
  if (!replay || !entry) return refused(`the order was recorded before its record kept what a replay needs; ${REDRIVE_HINT}`);
  const message = replayedMessage(replay, id, { receivedAt: order.receivedAt, expiresAt: order.expiresAt });
  if (!message) {
    return refused(
      `the values of ${id}'s message held the shopper's IP or e-mail (say, Raptor's user id), which the order record does not keep ` +
        `(docs/PRIVACY.md); ${REDRIVE_HINT}`,
    );
  }
  const window = destination.adapter.capabilities?.reportingWindowDays?.(destination.config);
  if (window !== undefined) {
    const placed = new Date(message.order.occurredAt);
    const age = (now.getTime() - placed.getTime()) / (SECONDS_PER_DAY * 1000);
    if (age > window) {
      return refused(`${id} accepts a sale up to ${window} days after the order (its reporting window); this one was placed on ${message.order.occurredAt}, ${Math.floor(age)} days ago`);
    }
  }
  const carried = shopperFieldsCarried(destination, message, replay.shopperFields ?? []);
  if (carried.length) {
    return refused(
      `${id}'s call carries the shopper's ${listed(carried.map((f) => SHOPPER_FIELD_NAMES[f]))}, which the order record does not keep ` +
        `beyond the queues' 14 days (docs/PRIVACY.md); ${REDRIVE_HINT}`,
    );
  }
  let requests: PlannedRequest[];
  try {
    const [shown] = dryRunDeliveries([destination], [{ destination: id, status: 'queued' }], [message]);
    requests = shown?.status === 'planned' ? shown.requests : [];
  } catch (error) {
    return refused(`its recorded values no longer make a ${id} call with the configuration given: ${(error as Error).message}`);
  }
  return {
    kind: 'replay',
    orderId,
    status: record?.status ?? 'queued',
    ...(record?.lastError !== undefined ? { lastError: record.lastError } : {}),
    message,
    requests,
    planIndex,
    ...(planned.digest !== undefined ? { recordedDigest: planned.digest } : {}),
  };
}

/**
 * The shopper fields the report gave that `destination`'s call would carry: each one whose absence changes the requests
 * built from the message with all of them filled by stand-ins (or makes building them fail, as Klevu's without an IP).
 */
function shopperFieldsCarried(destination: Destination, message: DeliveryMessage, fields: ReadonlyArray<keyof Shopper>): Array<keyof Shopper> {
  if (!fields.length) return [];
  const built = (given: ReadonlyArray<keyof Shopper>): string => {
    const shopper = Object.fromEntries(given.map((field) => [field, SHOPPER_PROBE[field]]));
    const order: Order = { ...message.order, ...(given.length ? { shopper } : {}) };
    try {
      return JSON.stringify(requestsFor(destination, { ...message, order }));
    } catch (error) {
      return `refused: ${(error as Error).message}`;
    }
  };
  const all = built(fields);
  return fields.filter((field) => built(fields.filter((f) => f !== field)) !== all);
}

const listed = (words: string[]): string => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);

/** The lines that show one decision. */
export function formatDecision(decision: ReplayDecision): string[] {
  switch (decision.kind) {
    case 'sent':
      return [`  ${decision.orderId}  already sent${decision.sentAt ? ` on ${decision.sentAt}` : ''}: never sent twice, nothing to do`];
    case 'refused':
      return [`  ${decision.orderId}  refused: ${decision.reason}`];
    case 'replay': {
      const lines = [
        `  ${decision.orderId}  ${decision.status}${decision.lastError ? ` (${decision.lastError.replace(/\s+/g, ' ')})` : ''}, placed ${decision.message.order.occurredAt}; will send:`,
      ];
      for (const request of decision.requests) {
        lines.push(`    ${request.method} ${request.url}`);
        for (const [name, value] of Object.entries(request.headers)) lines.push(`      ${name}: ${value}`);
        if (request.body !== undefined) lines.push(`      ${request.body}`);
      }
      return lines;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Command line

export interface ReplayIo extends CommandIo {
  /** Where the answer to the confirmation is read (default: standard input). */
  input?: NodeJS.ReadableStream;
  /** The time judged against (default: now). */
  now?: () => Date;
}

/** The whole command; returns the exit code (0: queued or nothing to do; 1: refused, not confirmed, or failed). */
export async function run(argv: string[], io: ReplayIo): Promise<number> {
  return runOnTarget(io, async (use) => {
    const now = io.now?.() ?? new Date();
    const args = parseArguments(argv, now);
    if (args === 'help') {
      io.out(USAGE);
      return 0;
    }
    const target = use(await resolveTarget(args, io.stateFile));
    const { destination, configFile } = destinationOf(args, target);
    const queue = target.queues.get(destination.id);
    if (!queue) throw new CommandError(`${target.description} has no queue for ${destination.id}: is the configuration ${configFile} the one deployed?`);
    if (!target.tableName) throw new CommandError(`No table known for ${target.description}`);
    const dynamo = new DynamoDBClient(target.kind === 'local' && target.local ? { endpoint: target.local.dynamoEndpoint, ...LOCAL_AWS } : { region: target.region });
    try {
      const store = new TrackingStore(documentClient(dynamo), target.tableName);
      const orderIds = args.orderId !== undefined ? [args.orderId] : await unsettledOrders(store, destination.id, args.since!);
      const decisions: ReplayDecision[] = [];
      for (const orderId of orderIds) decisions.push(decideReplay(orderId, await store.orders.readOrder(orderId), destination, now));

      io.out(`Replay to ${destination.id} on ${target.description}, requests shown with ${configFile}:`);
      if (!decisions.length) io.out(`  no failed, dead-lettered or retrying delivery to ${destination.id} since ${args.since!.toISOString()}`);
      for (const decision of decisions) for (const line of formatDecision(decision)) io.out(line);
      const replays = decisions.filter((d): d is Extract<ReplayDecision, { kind: 'replay' }> => d.kind === 'replay');
      const refusedOne = args.orderId !== undefined && decisions.some((d) => d.kind === 'refused');
      if (!replays.length) {
        io.out('Nothing to queue.');
        return refusedOne ? 1 : 0;
      }

      const question = `Queue ${replays.length} message(s) on the ${destination.id} delivery queue of ${target.description}? [y/N]`;
      if (!args.yes && !(await confirmed(question, io))) {
        io.err('Not confirmed: nothing queued.');
        return 1;
      }
      let queued = 0;
      let failed = 0;
      for (const replay of replays) {
        if (replay.message.digest !== replay.recordedDigest) {
          const recorded = await store.orders.recordReplayDigest(replay.orderId, destination.id, replay.planIndex, replay.message.digest!);
          if (!recorded) {
            io.err(`  ${replay.orderId}  not queued: the order changed meanwhile (cancelled?); run again to see why`);
            failed++;
            continue;
          }
        }
        await queueReplayed(target.sqs, queue.queue, replay.message, replay.status === 'failed');
        queued++;
      }
      io.out(
        `Queued ${queued} message(s) on the ${destination.id} delivery queue. The sender sends each with the configuration it runs ` +
          'with now, once; npm run status -- <orderId> follows it.',
      );
      return failed || refusedOne ? 1 : 0;
    } finally {
      dynamo.destroy();
    }
  });
}

/** The destination named, from the configuration the requests are shown with. */
function destinationOf(args: ReplayArguments, target: Target): { destination: Destination; configFile: string } {
  const choice = chooseConfig({ explicit: args.configPath ?? target.configFile });
  let destinations: Destination[];
  try {
    // The shipped example's sandbox endpoints follow the local stack's port, as `npm start` loads it.
    destinations = destinationsOf(loadConfig(choice, choice.isExample && target.kind === 'local' ? { baseUrl: target.apiUrl } : {}));
  } catch (error) {
    throw new CommandError((error as Error).message, { cause: error });
  }
  const destination = destinations.find((d) => d.id === args.destination);
  if (!destination) {
    throw new CommandError(
      `"${args.destination}" is not a sale destination of ${choice.path} (${destinations.map((d) => d.id).join(', ') || 'none'}); ` +
        'a cancellation call is not replayed',
    );
  }
  return { destination, configFile: choice.path };
}

/** The orders with a delivery to `destination` whose last outcome was not `sent`, recorded since `since`. */
async function unsettledOrders(store: TrackingStore, destination: string, since: Date): Promise<string[]> {
  const orderIds = new Set<string>();
  let cursor: Awaited<ReturnType<TrackingStore['listUnsettled']>>['cursor'];
  do {
    const page = await store.listUnsettled({ statuses: UNSETTLED_STATUSES, destinations: [destination], since: since.toISOString(), limit: 100, ...(cursor ? { cursor } : {}) });
    for (const delivery of page.deliveries) orderIds.add(delivery.orderId);
    cursor = page.cursor;
  } while (cursor);
  return [...orderIds];
}

/** Asks `question` and reads one line: yes (`y`, `yes`, any case) or anything else, the end of the input included. */
async function confirmed(question: string, io: ReplayIo): Promise<boolean> {
  io.out(question);
  const lines = createInterface({ input: io.input ?? process.stdin, terminal: false });
  try {
    for await (const line of lines) return /^\s*y(es)?\s*$/i.test(line);
    return false;
  } finally {
    lines.close();
  }
}

if (require.main === module) runAsScript(run);
