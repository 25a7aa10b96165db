/**
 * `npm run report -- [--since 7d] [--vendor <id>] [--local|--deployed] [--stage <name> | --stack <name>] [--region <region>]`
 *
 * Reconciliation per vendor and day: orders reported, queued, sent, skipped (by reason), failed, dead-lettered,
 * cancelled (by the order's cancellation, before they were sent) and still pending.
 *
 * - Deployed: the delivery counts the functions publish (CloudWatch namespace ConversionTracking, one metric per event
 *   and destination, lambdas/observability/metrics.ts), summed per UTC day of the event. Skip reasons are not metric
 *   dimensions (a metric per reason would be paid for every month), so they are given as a total; "pending" is
 *   queued − sent − failed − dead-lettered − cancelled of the day, which a retry or a cancellation crossing midnight
 *   can shift, and which a delivery counted twice (failed, then redriven and sent, or cancelled) lowers.
 * - Local: the same numbers read from the local stack's table – every order and delivery record – by UTC day of the
 *   order's receipt, with the skip reasons.
 */
import { GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseDateOrDateTime } from '../lambdas/core/time';
import { DELIVERY_METRICS, DeliveryEvent, DESTINATION_DIMENSION, METRICS_NAMESPACE } from '../lambdas/observability/metrics';
import { LOCAL_AWS } from '../local/services';
import { table } from './status';
import { CommandError, CommandIo, parseCommand, resolveTarget, runAsScript, runOnTarget, Target, TARGET_USAGE, targetArguments } from './target';

const USAGE =
  'Usage: npm run report -- [--since 7d|24h|2026-11-01] [--vendor <id>] [--local | --deployed] [--stage <name> | --stack <name>] [--region <region>]\n' +
  '  --since      from this long ago (days d, hours h), this UTC date or this date-time with its offset; default 7d\n' +
  '  --vendor     one destination only\n' +
  TARGET_USAGE;

export interface ReportRow {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  vendor: string;
  reported: number;
  queued: number;
  sent: number;
  /** Per reason (local), or the total when reasons are not known (deployed). */
  skipped: Record<string, number> | number;
  failed: number;
  deadLettered: number;
  /** Cancelled by the order's cancellation before they were sent. */
  cancelled: number;
  pending: number;
}

/**
 * `7d`, `24h`, a UTC date or a date-time with its offset: the start of the report. A day its month does not have
 * (`2026-02-30`) is refused, not rolled over into the next month; so is a date-time without an offset, which would
 * be read in the machine's time zone.
 */
export function parseSince(value: string, now: Date): Date {
  const relative = /^(\d{1,4})([dh])$/.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * (relative[2] === 'd' ? 86_400_000 : 3_600_000));
  const at = parseDateOrDateTime(value);
  if (at) return at;
  throw new CommandError(`--since must be like 7d, 24h or 2026-11-01, not ${JSON.stringify(value)}.\n${USAGE}`);
}

const emptyRow = (day: string, vendor: string, skipped: ReportRow['skipped']): ReportRow => ({
  day,
  vendor,
  reported: 0,
  queued: 0,
  sent: 0,
  skipped,
  failed: 0,
  deadLettered: 0,
  cancelled: 0,
  pending: 0,
});

const byDayAndVendor = (a: ReportRow, b: ReportRow) => a.day.localeCompare(b.day) || a.vendor.localeCompare(b.vendor);

/**
 * The local report from the table's items: orders (`sk = ORDER`, with their plan) received since `since`, and their
 * delivery records (`sk = DELIVERY#<vendor>`). A queued delivery is pending until its record says sent, failed,
 * dead-lettered or cancelled.
 */
export function tallyRecords(items: Array<Record<string, unknown>>, since: Date, vendor?: string): ReportRow[] {
  const deliveries = new Map<string, string>();
  for (const item of items) {
    const sk = String(item.sk);
    if (sk.startsWith('DELIVERY#')) deliveries.set(`${String(item.pk)}\u0000${String(item.destination)}`, String(item.status));
  }
  const rows = new Map<string, ReportRow>();
  for (const item of items) {
    if (item.sk !== 'ORDER' || typeof item.receivedAt !== 'string' || new Date(item.receivedAt) < since) continue;
    const day = item.receivedAt.slice(0, 10);
    for (const plan of (Array.isArray(item.plan) ? item.plan : []) as Array<{ destination: string; status: string; reason?: string }>) {
      if (vendor && plan.destination !== vendor) continue;
      const key = `${day}\u0000${plan.destination}`;
      const row = rows.get(key) ?? emptyRow(day, plan.destination, {});
      rows.set(key, row);
      row.reported++;
      if (plan.status === 'skipped') {
        const reasons = row.skipped as Record<string, number>;
        const reason = plan.reason ?? '(no reason)';
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        continue;
      }
      row.queued++;
      const status = deliveries.get(`${String(item.pk)}\u0000${plan.destination}`);
      if (status === 'sent') row.sent++;
      else if (status === 'failed') row.failed++;
      else if (status === 'dead-lettered') row.deadLettered++;
      else if (status === 'cancelled') row.cancelled++;
      else row.pending++;
    }
  }
  return [...rows.values()].sort(byDayAndVendor);
}

/** Every item of the local stack's table (it is small: a developer's own test orders). */
async function scanTable(endpoint: string, tableName: string): Promise<Array<Record<string, unknown>>> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, ...LOCAL_AWS }));
  try {
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    client.destroy();
  }
}

const REPORTED_EVENTS: DeliveryEvent[] = ['queued', 'skipped', 'sent', 'failed', 'dead-lettered', 'cancelled'];

/** Daily sums per vendor and event, as GetMetricData returns them, into report rows. */
export function tallyMetrics(series: Array<{ vendor: string; event: DeliveryEvent; timestamps: Date[]; values: number[] }>): ReportRow[] {
  const rows = new Map<string, ReportRow>();
  for (const { vendor, event, timestamps, values } of series) {
    for (const [i, at] of timestamps.entries()) {
      const day = at.toISOString().slice(0, 10);
      const key = `${day}\u0000${vendor}`;
      const row = rows.get(key) ?? emptyRow(day, vendor, 0);
      rows.set(key, row);
      const value = values[i] ?? 0;
      if (event === 'queued') row.queued += value;
      else if (event === 'skipped') (row.skipped as number) += value;
      else if (event === 'sent') row.sent += value;
      else if (event === 'failed') row.failed += value;
      else if (event === 'dead-lettered') row.deadLettered += value;
      else if (event === 'cancelled') row.cancelled += value;
    }
  }
  for (const row of rows.values()) {
    row.reported = row.queued + (row.skipped as number);
    row.pending = Math.max(0, row.queued - row.sent - row.failed - row.deadLettered - row.cancelled);
  }
  return [...rows.values()].sort(byDayAndVendor);
}

export async function metricsReport(target: Pick<Target, 'cloudWatch' | 'metricsService'>, vendors: string[], since: Date, now: Date): Promise<ReportRow[]> {
  const queries: MetricDataQuery[] = [];
  const meaning = new Map<string, { vendor: string; event: DeliveryEvent }>();
  for (const [v, vendor] of vendors.entries()) {
    for (const [e, event] of REPORTED_EVENTS.entries()) {
      const id = `m${v}_${e}`;
      meaning.set(id, { vendor, event });
      queries.push({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: METRICS_NAMESPACE,
            MetricName: DELIVERY_METRICS[event],
            Dimensions: [
              // The stage's service name: stages sharing an account and region publish under their own.
              { Name: 'service', Value: target.metricsService },
              { Name: DESTINATION_DIMENSION, Value: vendor },
            ],
          },
          Period: 86_400,
          Stat: 'Sum',
        },
      });
    }
  }
  const start = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()));
  const series: Parameters<typeof tallyMetrics>[0] = [];
  for (let i = 0; i < queries.length; i += 500) {
    let token: string | undefined;
    do {
      const page = await target.cloudWatch().send(
        new GetMetricDataCommand({ MetricDataQueries: queries.slice(i, i + 500), StartTime: start, EndTime: now, NextToken: token }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const what = meaning.get(result.Id ?? '');
        if (what) series.push({ ...what, timestamps: result.Timestamps ?? [], values: result.Values ?? [] });
      }
      token = page.NextToken;
    } while (token);
  }
  return tallyMetrics(series);
}

/** The lines `npm run report` prints. */
export function formatReport(rows: ReportRow[], heading: string): string[] {
  if (rows.length === 0) return [heading, '', 'No orders in this period.'];
  const lines = [heading, ''];
  lines.push(
    ...table([
      ['day', 'vendor', 'reported', 'queued', 'sent', 'skipped', 'failed', 'dead-lettered', 'cancelled', 'pending'],
      ...rows.map((r) => [
        r.day,
        r.vendor,
        String(r.reported),
        String(r.queued),
        String(r.sent),
        String(typeof r.skipped === 'number' ? r.skipped : Object.values(r.skipped).reduce((a, b) => a + b, 0)),
        String(r.failed),
        String(r.deadLettered),
        String(r.cancelled),
        String(r.pending),
      ]),
    ]),
  );
  const reasons = rows.filter((r) => typeof r.skipped === 'object' && Object.keys(r.skipped).length);
  if (reasons.length) {
    lines.push('', 'Skipped, by reason:');
    for (const row of reasons) {
      for (const [reason, count] of Object.entries(row.skipped as Record<string, number>)) lines.push(`  ${row.day}  ${row.vendor}  ${count} × ${reason}`);
    }
  }
  return lines;
}

export interface RunIo extends CommandIo {
  now?: Date;
}

export async function run(argv: string[], io: RunIo): Promise<number> {
  return runOnTarget(io, async (use) => {
    const parsed = parseCommand(argv, USAGE, { since: { type: 'string' }, vendor: { type: 'string' } });
    if (parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    const now = io.now ?? new Date();
    const since = parseSince(parsed.values.since ?? '7d', now);
    const target = use(await resolveTarget(targetArguments(parsed.values, USAGE), io.stateFile));
    const vendor = parsed.values.vendor;
    const known = [...target.queues.keys()];
    if (vendor && !known.includes(vendor)) {
      throw new CommandError(`Unknown destination "${vendor}" on ${target.description}. Known destinations: ${known.join(', ') || '(none)'}`);
    }
    const heading = `Deliveries since ${since.toISOString()} on ${target.description}${vendor ? `, ${vendor} only` : ''}`;
    let rows: ReportRow[];
    if (target.kind === 'local') {
      if (!target.local) throw new CommandError('The local stack state file has no table; restart npm start');
      rows = tallyRecords(await scanTable(target.local.dynamoEndpoint, target.local.tableName), since, vendor);
    } else {
      rows = await metricsReport(target, vendor ? [vendor] : known, since, now);
    }
    for (const line of formatReport(rows, heading)) io.out(line);
    return 0;
  });
}

if (require.main === module) runAsScript(run);
