/**
 * A CloudWatch stand-in speaking the service's AWS JSON 1.0 protocol (`X-Amz-Target:
 * GraniteServiceVersion20100801.<Operation>`, epoch-second timestamps), for what `npm run smoke -- --alarm-test`
 * calls: DescribeAlarms, SetAlarmState and DescribeAlarmHistory. Like CloudWatch, a change of state is recorded as a
 * `StateUpdate` history item (its data holds the new state's reason), and each action of the new state is run a
 * little later and recorded as an `Action` item – "Successfully executed action <arn>" or "Failed to execute action
 * <arn>. Received error: "…"" – as `publish` decides.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type State = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface DoubleAlarm {
  name: string;
  state?: State;
  alarmActions: string[];
  okActions?: string[];
  actionsEnabled?: boolean;
}

interface HistoryItem {
  AlarmName: string;
  AlarmType: 'MetricAlarm';
  Timestamp: number;
  HistoryItemType: 'StateUpdate' | 'Action' | 'ConfigurationUpdate';
  HistorySummary: string;
  HistoryData: string;
}

export interface CloudWatchDouble {
  endpoint: string;
  /** Operations received, in order. */
  operations: string[];
  /** The alarms' current state. */
  stateOf(name: string): State | undefined;
  stop(): Promise<void>;
}

export interface CloudWatchDoubleOptions {
  region: string;
  account: string;
  alarms: DoubleAlarm[];
  /** Runs one action: undefined when it was delivered, else the error CloudWatch would record. Default: delivered. */
  publish?: (alarmArn: string, actionArn: string) => string | undefined;
  /** How long after a state change its actions run. Default 50 ms. */
  actionDelayMs?: number;
  /** Set: actions are never run (a CloudWatch that records nothing). */
  silent?: boolean;
}

export async function startCloudWatchDouble(options: CloudWatchDoubleOptions): Promise<CloudWatchDouble> {
  const alarms = new Map(options.alarms.map((a) => [a.name, { ...a, state: a.state ?? ('OK' as State) }]));
  const history: HistoryItem[] = [];
  const operations: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const arnOf = (name: string) => `arn:aws:cloudwatch:${options.region}:${options.account}:alarm:${name}`;
  const seconds = () => Date.now() / 1000;

  function setState(name: string, state: State, reason: string): void {
    const alarm = alarms.get(name)!;
    const old = alarm.state;
    if (old === state) return;
    alarm.state = state;
    history.push({
      AlarmName: name,
      AlarmType: 'MetricAlarm',
      Timestamp: seconds(),
      HistoryItemType: 'StateUpdate',
      HistorySummary: `Alarm updated from ${old} to ${state}`,
      HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: old }, newState: { stateValue: state, stateReason: reason } }),
    });
    if (options.silent || alarm.actionsEnabled === false) return;
    const actions = state === 'ALARM' ? alarm.alarmActions : state === 'OK' ? (alarm.okActions ?? []) : [];
    const timer = setTimeout(() => {
      timers.delete(timer);
      for (const action of actions) {
        const error = (options.publish ?? (() => undefined))(arnOf(name), action);
        history.push({
          AlarmName: name,
          AlarmType: 'MetricAlarm',
          Timestamp: seconds(),
          HistoryItemType: 'Action',
          HistorySummary: error === undefined ? `Successfully executed action ${action}` : `Failed to execute action ${action}. Received error: "${error}"`,
          HistoryData: JSON.stringify({
            actionState: error === undefined ? 'Succeeded' : 'Failed',
            notificationResource: action,
            stateUpdateTimestamp: Date.now(),
            ...(error === undefined ? {} : { error }),
          }),
        });
      }
    }, options.actionDelayMs ?? 50);
    timers.add(timer);
  }

  const handlers: Record<string, (input: any) => unknown> = {
    DescribeAlarms: (input: { AlarmNames?: string[] }) => ({
      MetricAlarms: [...alarms.values()]
        .filter((a) => !input.AlarmNames || input.AlarmNames.includes(a.name))
        .map((a) => ({
          AlarmName: a.name,
          AlarmArn: arnOf(a.name),
          StateValue: a.state,
          ActionsEnabled: a.actionsEnabled ?? true,
          AlarmActions: a.alarmActions,
          OKActions: a.okActions ?? [],
        })),
      CompositeAlarms: [],
    }),
    SetAlarmState: (input: { AlarmName: string; StateValue: State; StateReason: string }) => {
      if (!alarms.has(input.AlarmName)) throw Object.assign(new Error(`Alarm ${input.AlarmName} not found`), { code: 'ResourceNotFound' });
      setState(input.AlarmName, input.StateValue, input.StateReason);
      return {};
    },
    DescribeAlarmHistory: (input: { AlarmName?: string; HistoryItemType?: string; StartDate?: number; ScanBy?: string }) => {
      const items = history.filter(
        (item) =>
          (!input.AlarmName || item.AlarmName === input.AlarmName) &&
          (!input.HistoryItemType || item.HistoryItemType === input.HistoryItemType) &&
          (input.StartDate === undefined || item.Timestamp >= input.StartDate),
      );
      return { AlarmHistoryItems: input.ScanBy === 'TimestampAscending' ? items : [...items].reverse() };
    },
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `cw-${operations.length}` });
        response.end(JSON.stringify(payload));
      };
      const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      operations.push(operation);
      const handler = handlers[operation];
      if (!handler) return reply(400, { __type: 'InvalidAction', message: `Unsupported operation ${operation}` });
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        return reply(200, handler(text ? JSON.parse(text) : {}));
      } catch (error) {
        return reply(400, { __type: (error as { code?: string }).code ?? 'InvalidParameterValue', message: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    operations,
    stateOf: (name) => alarms.get(name)?.state,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
