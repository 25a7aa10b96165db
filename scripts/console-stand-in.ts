/**
 * AWS as the deployed console meets it, without AWS: one endpoint for `AWS_ENDPOINT_URL` that tells the services apart
 * by each request's SigV4 credential scope (as AWS's endpoints are told apart by host) and answers
 * - `cloudformation` DescribeStacks (query protocol): the stacks given, their outputs with descriptions;
 * - `secretsmanager` GetSecretValue (JSON 1.1): the secrets given, by ARN;
 * - `monitoring` GetMetricData (CloudWatch, JSON 1.0): a day's sum per metric and destination, as `metric` gives;
 * - `dynamodb` and `sqs`: forwarded to a DynamoDB Local and an SQS server (a local stack's).
 * For `npm run screenshot -- --deployed` and the deployed console's test (which records every call through `observe`).
 */
import { createServer, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardedHeaders, forwardToUpstream } from '../local/aws-forward';

export interface StackOutput {
  key: string;
  value: string;
  description?: string;
}

export interface ConsoleStandInOptions {
  dynamodb: string;
  sqs: string;
  /** Secret values by ARN. */
  secrets: Record<string, string>;
  /**
   * Stacks by name, with their outputs, given a queue URL's form at the stand-in (the SQS client sends each call to its
   * QueueUrl's host rather than to AWS_ENDPOINT_URL).
   */
  stacks: (queueUrl: (sqsServerUrl: string) => string) => Record<string, StackOutput[]>;
  /** A day's sum of a metric for a destination, or undefined for no data. */
  metric: (metricName: string, destination: string) => number | undefined;
  /** Every signed request, before it is answered. */
  observe?: (service: string, region: string, headers: IncomingHttpHeaders, body: Buffer) => void;
}

export interface ConsoleStandIn {
  endpoint: string;
  stop(): Promise<void>;
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function describeStacks(stackName: string, region: string, outputs: StackOutput[] | undefined): { status: number; body: string } {
  if (!outputs) {
    return {
      status: 400,
      body: `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xml(stackName)} does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
    };
  }
  const members = outputs
    .map((o) => `<member><OutputKey>${xml(o.key)}</OutputKey><OutputValue>${xml(o.value)}</OutputValue>${o.description ? `<Description>${xml(o.description)}</Description>` : ''}</member>`)
    .join('');
  return {
    status: 200,
    body:
      '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>' +
      `<StackName>${xml(stackName)}</StackName><StackId>arn:aws:cloudformation:${region}:000000000000:stack/${xml(stackName)}/1</StackId>` +
      `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs>` +
      '</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeStacksResponse>',
  };
}

interface MetricQuery {
  Id: string;
  MetricStat: { Metric: { MetricName: string; Dimensions: Array<{ Name: string; Value: string }> } };
}

export async function startConsoleStandIn(options: ConsoleStandInOptions): Promise<ConsoleStandIn> {
  let stacks: Record<string, StackOutput[]> = {};
  const server = createServer((request, response) => {
    void (async (): Promise<void> => {
      const body = await readAll(request);
      const json = (status: number, type: string, payload: unknown) => {
        response.writeHead(status, { 'content-type': type, 'x-amzn-requestid': 'stand-in' });
        response.end(JSON.stringify(payload));
      };
      const scope = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(request.headers.authorization ?? '');
      if (!scope) return json(403, 'application/json', { __type: 'MissingAuthenticationTokenException', message: 'Request is not signed' });
      const [, region, service] = scope as unknown as [string, string, string];
      options.observe?.(service, region, request.headers, body);
      const input = () => JSON.parse(body.toString('utf8') || '{}') as Record<string, any>;
      if (service === 'cloudformation') {
        const answer = describeStacks(new URLSearchParams(body.toString('utf8')).get('StackName') ?? '', region, stacks[new URLSearchParams(body.toString('utf8')).get('StackName') ?? '']);
        response.writeHead(answer.status, { 'content-type': 'text/xml' });
        return void response.end(answer.body);
      }
      if (service === 'secretsmanager') {
        const arn = String(input().SecretId ?? '');
        const value = options.secrets[arn];
        if (value === undefined) return json(400, 'application/x-amz-json-1.1', { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        return json(200, 'application/x-amz-json-1.1', { ARN: arn, Name: arn.split(':')[6], SecretString: value, VersionId: '00000000-0000-4000-8000-000000000001', VersionStages: ['AWSCURRENT'] });
      }
      if (service === 'monitoring') {
        const { MetricDataQueries = [], StartTime } = input() as { MetricDataQueries?: MetricQuery[]; StartTime?: number };
        const day = Math.floor((StartTime ?? Date.now() / 1000) / 86_400) * 86_400;
        const results = MetricDataQueries.map((query) => {
          const destination = query.MetricStat.Metric.Dimensions.find((d) => d.Name !== 'service')?.Value ?? '';
          const value = options.metric(query.MetricStat.Metric.MetricName, destination);
          return { Id: query.Id, StatusCode: 'Complete', Timestamps: value === undefined ? [] : [day], Values: value === undefined ? [] : [value] };
        });
        return json(200, 'application/x-amz-json-1.0', { MetricDataResults: results, Messages: [] });
      }
      const upstream = service === 'dynamodb' ? options.dynamodb : service === 'sqs' ? options.sqs : undefined;
      if (!upstream) return json(400, 'application/json', { __type: 'UnknownService', message: `No stand-in for ${service}` });
      try {
        await forwardToUpstream(upstream, request, forwardedHeaders(request), body, response);
      } catch (error) {
        json(502, 'application/json', { __type: 'ProxyError', message: String(error) });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stacks = options.stacks((url) => `${endpoint}${new URL(url).pathname}`);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
