/**
 * `npm run status -- <orderId> [--local|--deployed] [--stage <name> | --stack <name>] [--region <region>]`
 *
 * The delivery status of one order per vendor and each delivery's attempt history, as a table – with the order's
 * cancellation, each vendor's cancellation and the exclusive groups' winners: what GET /v1/conversions/{orderId}
 * answers, for an operator without curl at hand. Target as for every operator command
 * (scripts/target.ts).
 */
import type { AttemptRecord, DeliveryState } from '../lambdas/core/delivery';
import { apiGet, CommandError, CommandIo, parseCommand, resolveTarget, runAsScript, runOnTarget, TARGET_USAGE, targetArguments } from './target';

const USAGE = 'Usage: npm run status -- <orderId> [--local | --deployed] [--stage <name> | --stack <name>] [--region <region>]\n' + TARGET_USAGE;

export interface OrderStatus {
  orderId: string;
  receivedAt: string;
  /** The order's cancellation, once the shop asked for one. */
  cancellation?: { requestedAt: string; reason?: string; occurredAt?: string };
  /** Each sale's cancellation is under it (`cancellation`): a cancellation call is never a vendor of its own. */
  deliveries: DeliveryState[];
  /** The exclusive groups' decisions. */
  groups?: Array<{ group: string; winner: string | null; channel: string }>;
}

/** Pads every column of `rows` to its widest cell. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd());
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * The lines `npm run status` prints for an order: the order's cancellation and the exclusive groups' winners when it
 * has them, one row per vendor (with its cancellation: `unsupported`, or the state of its cancellation call, when the
 * order is cancelled), then each attempt history – a cancellation call's under its sale's vendor.
 */
export function formatStatus(order: OrderStatus): string[] {
  const lines = [`Order ${order.orderId}, received ${order.receivedAt}`];
  if (order.cancellation) {
    const { requestedAt, reason, occurredAt } = order.cancellation;
    lines.push(`Cancelled ${requestedAt}${occurredAt ? ` (occurred ${occurredAt})` : ''}${reason ? `: ${flat(reason)}` : ''}`);
  }
  for (const { group, winner, channel } of order.groups ?? []) {
    lines.push(`Group ${group}: ${winner ? `won by ${winner}` : 'no member held a live click'}, {channel} = ${channel}`);
  }
  lines.push('');
  const cancellations = order.cancellation !== undefined || order.deliveries.some((d) => d.cancellation !== undefined);
  lines.push(
    ...table([
      ['vendor', 'status', 'attempts', 'HTTP', ...(cancellations ? ['cancellation'] : []), 'detail'],
      ...order.deliveries.map((d) => [
        d.vendor,
        d.status,
        String(d.attempts),
        d.vendorStatus !== undefined ? String(d.vendorStatus) : '',
        ...(cancellations ? [cancellationCell(d)] : []),
        flat(d.status === 'sent' ? `sent ${d.sentAt ?? ''}` : (d.reason ?? d.lastError ?? '')),
      ]),
    ]),
  );
  for (const delivery of order.deliveries) {
    lines.push(...historyLines(`${delivery.vendor}`, delivery.history));
    const call = delivery.cancellation;
    if (call !== undefined && call !== 'unsupported') {
      if (call.lastError) lines.push('', `${delivery.vendor} cancellation call: ${flat(call.lastError)}`);
      lines.push(...historyLines(`${delivery.vendor} cancellation call`, call.history));
    }
  }
  return lines;
}

/** A vendor's cancellation, as the table shows it: `unsupported`, or its call's status (and attempts, HTTP status). */
function cancellationCell(delivery: DeliveryState): string {
  const call = delivery.cancellation;
  if (call === undefined) return '';
  if (call === 'unsupported') return 'unsupported';
  return [call.status, call.attempts > 1 ? `×${call.attempts}` : '', call.vendorStatus !== undefined ? `HTTP ${call.vendorStatus}` : ''].filter(Boolean).join(' ');
}

function historyLines(title: string, history: AttemptRecord[] | undefined): string[] {
  if (!history?.length) return [];
  const lines = ['', `${title}: last ${history.length} attempt(s), oldest first`];
  lines.push(...table([['at', 'outcome', 'HTTP', 'ms', 'request'], ...history.map(historyRow)]).map((l) => `  ${l}`));
  for (const [i, attempt] of history.entries()) {
    const answer = attempt.transportError ?? attempt.response;
    if (answer) lines.push(`  #${i + 1} answer: ${flat(answer)}`);
  }
  return lines;
}

function historyRow(attempt: AttemptRecord): string[] {
  return [attempt.at, attempt.outcome, attempt.httpStatus !== undefined ? String(attempt.httpStatus) : '-', String(attempt.durationMs), attempt.request];
}

/**
 * The status route's path for `orderId`, as the deployed API needs it (docs/RELIABILITY.md, "Percent-encoded `/`"):
 * API Gateway decodes the path once before it matches a route, and the path parameter once more. So an id with `/`
 * (which would split the path) or `%` (which would be decoded twice: `A%41-x` would become `AA-x`) is encoded twice,
 * and so is an id that is all dots – `.` and `..` are path segments fetch removes, as it does their encoded form
 * `%2E`, but not `%252E`. Any other id is encoded once, which reaches it the same way and reads plainly.
 */
export function statusPath(orderId: string): string {
  const once = encodeURIComponent(orderId);
  const twice = /[/%]/.test(orderId) || orderId === '.' || orderId === '..';
  return `/v1/conversions/${twice ? encodeURIComponent(once.replace(/\./g, '%2E')) : once}`;
}

export type RunIo = CommandIo;

export async function run(argv: string[], io: RunIo): Promise<number> {
  return runOnTarget(io, async (use) => {
    const parsed = parseCommand(argv, USAGE, {}, true);
    if (parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    if (parsed.positionals.length !== 1 || !parsed.positionals[0]) throw new CommandError(`Name exactly one order id.\n${USAGE}`);
    const orderId = parsed.positionals[0];
    const target = use(await resolveTarget(targetArguments(parsed.values, USAGE), io.stateFile));
    const { status, body } = await apiGet(target, statusPath(orderId));
    if (status === 404) {
      io.err(`No conversion with orderId ${JSON.stringify(orderId)} on ${target.description}`);
      return 1;
    }
    if (status !== 200) throw new CommandError(`The API of ${target.description} answered HTTP ${status}: ${JSON.stringify(body)}`);
    for (const line of formatStatus(body as OrderStatus)) io.out(line);
    return 0;
  });
}

if (require.main === module) runAsScript(run);
