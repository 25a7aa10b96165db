/**
 * Events as API Gateway (HTTP API, payload format 2.0) and the SQS event source deliver them, after AWS's documented
 * payloads: API Gateway's built by local/api-gateway-event.ts with the headers a shop backend's request reaches the
 * function with; SQS records with string-valued `attributes` and `messageAttributes` in the event source's
 * lower-camel form.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiGatewayEvent } from '../../local/api-gateway-event';
import { ACCOUNT } from './cloudformation';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** The route's path as requested, e.g. `/v1/conversions/A%2F1`. */
  path: string;
  /** The route template, e.g. `/v1/conversions/{orderId}`. Default: `path`. */
  route?: string;
  pathParameters?: Record<string, string>;
  query?: string;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string; omitted means no `body` key at all. */
  body?: unknown;
  /** Send the body Base64-encoded, as API Gateway does for a body it does not consider text. */
  base64?: boolean;
  /** A named stage: `rawPath` and `requestContext.http.path` carry `/<stage>` in front. Default `$default`. */
  stage?: string;
  sourceIp?: string;
}

const API_ID = 'a1b2c3d4e5';

export function httpEvent(request: HttpRequest, region: string): APIGatewayProxyEventV2 {
  const text = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const now = new Date();
  const sourceIp = request.sourceIp ?? '198.51.100.23';
  const headers: Record<string, string> = {
    accept: '*/*',
    host: `${API_ID}.execute-api.${region}.amazonaws.com`,
    'user-agent': 'shop-backend/1.0',
    'x-amzn-trace-id': `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    'x-forwarded-for': sourceIp,
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...(text !== undefined ? { 'content-length': String(Buffer.byteLength(text)) } : {}),
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  return apiGatewayEvent({
    ...request,
    headers,
    body: text,
    accountId: ACCOUNT,
    apiId: API_ID,
    requestId: `${randomUUID().slice(0, 8)}=`,
    sourceIp,
    at: now,
  });
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** The SQS event Lambda's event source mapping builds from received messages. */
export function sqsEvent(messages: Message[], queueArn: string, region: string): { Records: Record<string, unknown>[] } {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId,
      receiptHandle: m.ReceiptHandle,
      body: m.Body,
      // Every value a string, as the event source delivers them.
      attributes: {
        ApproximateReceiveCount: String(m.Attributes?.ApproximateReceiveCount ?? '1'),
        SentTimestamp: String(m.Attributes?.SentTimestamp ?? Date.now()),
        SenderId: String(m.Attributes?.SenderId ?? 'AROAEXAMPLE:ConversionTracking-ConversionFunction'),
        ApproximateFirstReceiveTimestamp: String(m.Attributes?.ApproximateFirstReceiveTimestamp ?? Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          { stringValue: value.StringValue, stringListValues: [], binaryListValues: [], dataType: value.DataType },
        ]),
      ),
      md5OfBody: m.MD5OfBody ?? md5(m.Body ?? ''),
      ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}
