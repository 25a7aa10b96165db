/**
 * `npm run smoke -- --alarm-test`: proves on the deployed stack that an alarm's notifications leave CloudWatch. It
 * sets one alarm to ALARM with SetAlarmState, then reads the alarm's history until CloudWatch has recorded the
 * outcome of every alarm action: "Successfully executed action <topic>" or "Failed to execute action <topic>.
 * Received error: …" – where a topic policy that does not let CloudWatch publish shows up ("…is not authorized to
 * perform: SNS:Publish…"). The alarm returns to its real state at its next evaluation (an OK notification follows).
 *
 * A success means SNS accepted the notification; whether a subscriber receives it is SNS's side: an e-mail
 * subscription must have been confirmed, a Slack channel authorised in AWS Chatbot.
 */
import { randomBytes } from 'node:crypto';
import {
  AlarmHistoryItem,
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';

export interface AlarmTestResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface AlarmTestOptions {
  alarmName: string;
  /**
   * How long to wait for CloudWatch to record the actions' outcomes; it runs them within seconds.
   * @default 120000
   */
  timeoutMs?: number;
  /** @default 5000 */
  pollMs?: number;
  /** For tests: the clock and the wait between polls. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** How far back the history is read: the test's own state change is found by its marker, whatever the clock skew. */
const HISTORY_WINDOW_MS = 10 * 60_000;

/** Reads an action's outcome from its history item: its summary, or the `actionState` of its data. */
export function actionOutcome(item: AlarmHistoryItem): 'succeeded' | 'failed' | undefined {
  const summary = item.HistorySummary ?? '';
  if (/^Successfully executed action/i.test(summary)) return 'succeeded';
  if (/^Failed to execute action/i.test(summary)) return 'failed';
  try {
    const state = (JSON.parse(item.HistoryData ?? '{}') as { actionState?: string }).actionState;
    if (state === 'Succeeded') return 'succeeded';
    if (state === 'Failed') return 'failed';
  } catch {
    // No JSON: the summary was all there is.
  }
  return undefined;
}

/** Sets `alarmName` to ALARM and reports, per alarm action, whether CloudWatch could run it. Never throws for AWS's answers. */
export async function alarmTest(cloudWatch: CloudWatchClient, options: AlarmTestOptions): Promise<AlarmTestResult[]> {
  const { alarmName } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const pollMs = options.pollMs ?? 5_000;
  const failed = (detail: string): AlarmTestResult[] => [{ name: `alarm test of ${alarmName}`, ok: false, detail }];

  const { MetricAlarms = [] } = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  const alarm = MetricAlarms[0];
  if (!alarm) return failed(`no alarm ${alarmName}: deploy this version of the stack, whose alarms are named after it`);
  const actions = alarm.AlarmActions ?? [];
  if (alarm.ActionsEnabled === false) return failed('the alarm’s actions are disabled (ActionsEnabled false)');
  if (actions.length === 0) return failed('the alarm has no alarm action: nobody would be notified');
  if (alarm.StateValue === 'ALARM') {
    return failed('the alarm is in ALARM already – a real failure, whose notification was sent or failed then; see its history');
  }

  // The marker finds this run's state change in the history.
  const marker = `alarm-test-${randomBytes(4).toString('hex')}`;
  const since = new Date(now() - HISTORY_WINDOW_MS);
  await cloudWatch.send(
    new SetAlarmStateCommand({
      AlarmName: alarmName,
      StateValue: 'ALARM',
      StateReason: `Test by npm run smoke -- --alarm-test (${marker}): not a real alarm. It returns to its state at its next evaluation.`,
    }),
  );

  const outcomes = new Map<string, AlarmHistoryItem>();
  let changedAt: Date | undefined;
  const deadline = now() + timeoutMs;
  for (;;) {
    if (!changedAt) {
      const updates = await history(cloudWatch, alarmName, 'StateUpdate', since);
      changedAt = updates.find((item) => (item.HistoryData ?? '').includes(marker))?.Timestamp;
    }
    if (changedAt) {
      for (const item of await history(cloudWatch, alarmName, 'Action', changedAt)) {
        const action = actions.find((arn) => (item.HistorySummary ?? '').includes(arn) || (item.HistoryData ?? '').includes(arn));
        if (action && !outcomes.has(action) && actionOutcome(item)) outcomes.set(action, item);
      }
    }
    if (outcomes.size === actions.length || now() >= deadline) break;
    await sleep(pollMs);
  }

  const seconds = Math.round(timeoutMs / 1000);
  return actions.map((arn) => {
    const name = `alarm ${alarmName} notifies ${arn}`;
    const item = outcomes.get(arn);
    if (!changedAt) return { name, ok: false, detail: `the alarm's change to ALARM was not in its history within ${seconds} s` };
    if (!item) return { name, ok: false, detail: `CloudWatch recorded no outcome of this action within ${seconds} s; see the alarm's history` };
    return actionOutcome(item) === 'succeeded'
      ? { name, ok: true, detail: item.HistorySummary ?? '' }
      : { name, ok: false, detail: item.HistorySummary ?? item.HistoryData ?? 'failed' };
  });
}

/** Every history item of one type since `since`, oldest first. */
async function history(cloudWatch: CloudWatchClient, alarmName: string, type: 'StateUpdate' | 'Action', since: Date): Promise<AlarmHistoryItem[]> {
  const items: AlarmHistoryItem[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudWatch.send(
      new DescribeAlarmHistoryCommand({ AlarmName: alarmName, HistoryItemType: type, StartDate: since, ScanBy: 'TimestampAscending', NextToken }),
    );
    items.push(...(page.AlarmHistoryItems ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return items;
}
