/**
 * Sends a signed AWS request on to an AWS-compatible service on this machine (DynamoDB Local, the SQS server) and
 * writes its answer back: what the deployed console's stand-in (scripts/console-stand-in.ts) and the artifact tests'
 * AWS doubles (test/artifacts/aws-doubles.ts) do with the requests they do not answer themselves.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const HOP_BY_HOP_REQUEST = ['host', 'connection', 'content-length', 'transfer-encoding'];
const HOP_BY_HOP_ANSWER = ['content-length', 'transfer-encoding', 'connection', 'content-encoding'];

/** The headers of `request` that go on to the upstream: all but the connection's own and the body's length. */
export function forwardedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !HOP_BY_HOP_REQUEST.includes(name)) headers[name] = [value].flat().join(', ');
  }
  return headers;
}

/**
 * Sends `request` (its `body` already read, with `headers`) to `upstream` and writes the answer to `response`, its
 * length recomputed. Throws, having written nothing, when the upstream cannot be reached: the caller answers that.
 */
export async function forwardToUpstream(upstream: string, request: IncomingMessage, headers: Record<string, string>, body: Buffer, response: ServerResponse): Promise<void> {
  const answer = await fetch(`${upstream}${request.url ?? '/'}`, { method: request.method, headers, ...(body.length ? { body } : {}) });
  const out = Buffer.from(await answer.arrayBuffer());
  const outHeaders: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!HOP_BY_HOP_ANSWER.includes(name)) outHeaders[name] = value;
  });
  response.writeHead(answer.status, { ...outHeaders, 'content-length': String(out.length) });
  response.end(out);
}
