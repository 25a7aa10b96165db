/**
 * The local vendor sandbox: stands in for every vendor's server under `/sandbox/<vendor>/…`. It records each
 * call as received, checks it against that vendor's documented constraints (the adapter's own `inspect`; a
 * postback's calls are checked by the postback adapter), and answers like a strict vendor: 200 when the call
 * conforms, 400 with the list of violations when it does not (unless `lenient`) – or, for testing retries,
 * whatever a behaviour set through `POST /sandbox/<vendor>/_behaviour` asks for.
 *
 * The sandbox shares the console's origin, so a web page must not be able to use it: it answers only when `Host`
 * names this machine, refuses requests a browser makes for a page of another origin (`Origin`, `Sec-Fetch-Site`),
 * takes a behaviour only as `application/json` and a vendor call's body only as JSON or a form (what the adapters
 * send), and every answer is JSON or text/plain with `nosniff` and a policy that runs nothing – never a page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { vendorAdapters } from '../lambdas/vendors/registry';
import type { VendorAdapter } from '../lambdas/vendors/types';
import { MAX_URL_BYTES, urlBytes } from '../lambdas/vendors/url-limit';
import { isLocalHost, readBody, sendError, sendJson } from './http-api';

export const SANDBOX_PREFIX = '/sandbox';

/** Vendor calls are small (Klevu's JSON events are the largest); anything beyond this is refused with 413. */
const MAX_SANDBOX_BODY_BYTES = 1024 * 1024;

/** The sandbox keeps the most recent calls only, so a long-running `npm start` does not grow without bound. */
const MAX_RECORDED = 1000;

export interface RecordedRequest {
  /** Increasing number, in order of arrival. */
  id: number;
  vendor: string;
  method: string;
  /** Path and raw (still percent-encoded) query exactly as received, e.g. `/sandbox/kelkoo/st?country=fr&…`. */
  url: string;
  /** The same, as the vendor's own server would see it: relative to `/sandbox/<vendor>`. */
  vendorUrl: string;
  /** The query decoded; a parameter given more than once lists every value. */
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  receivedAt: string;
  /** The status the sandbox answered with. */
  status: number;
  /** Whether the vendor is known, i.e. whether `violations` comes from its documented rules. */
  checked: boolean;
  /** Every way the call breaks the vendor's documented rules; empty when it conforms (or is unchecked). */
  violations: string[];
}

/**
 * On every sandbox answer, whatever a behaviour scripts: a browser never sniffs a body into HTML, and the policy lets
 * nothing load or run (`sandbox` also takes the console's origin away from anything rendered).
 */
export const SANDBOX_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox",
  'x-content-type-options': 'nosniff',
};

const FORM = 'application/x-www-form-urlencoded';

/** The media type of a Content-Type header, lower-cased without parameters; undefined when there is none. */
function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]!.trim().toLowerCase() || undefined;
}

function isJsonType(type: string | undefined): boolean {
  return type === 'application/json' || (type !== undefined && /^application\/[\w.-]+\+json$/.test(type));
}

/** An HTTP header name (RFC 9110 token) and a value Node can send (no CR, LF or other control characters). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Headers a behaviour may not script: the security headers above, cookies, CORS, and the answer's framing. */
const RESERVED_HEADER = /^(content-security-policy|x-content-type-options|set-cookie|access-control-.*|content-length|transfer-encoding|connection)$/i;

const behaviourHeaders = z
  .record(z.string().regex(HEADER_NAME, 'header names must be HTTP tokens'), z.string().regex(HEADER_VALUE, 'header values must not hold control characters'))
  .superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      if (RESERVED_HEADER.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `headers may not set ${name.toLowerCase()}` });
      const type = name.toLowerCase() === 'content-type' ? mediaType(value) : undefined;
      if (type !== undefined && type !== 'text/plain' && !isJsonType(type)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `the sandbox answers text/plain or JSON only, not ${type}` });
      }
    }
  });

const behaviourSchema = z.strictObject({
  /** Status to answer with. */
  status: z.number().int().min(100).max(599),
  /** For the next `times` calls; every call until reset when omitted. */
  times: z.number().int().min(1).optional(),
  body: z.string().max(4096).optional(),
  /** Extra answer headers, e.g. `retry-after`; a `content-type` may be text/plain (the default) or JSON. */
  headers: behaviourHeaders.optional(),
  /** Wait this long before answering: lets a sender's timeout be exercised. */
  delayMs: z.number().int().min(0).max(60_000).optional(),
});
export type SandboxBehaviour = z.infer<typeof behaviourSchema>;

/** The decoded parameters after a URL's `?`, as the sandbox records a call's query: one value, or every value of a repeated name. */
export function decodedQuery(url: string): Record<string, string | string[]> {
  const at = url.indexOf('?');
  const params = new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
  const result: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    result[name] = values.length === 1 ? values[0]! : values;
  }
  return result;
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

export class VendorSandbox {
  private recorded: RecordedRequest[] = [];
  private nextId = 1;
  private readonly behaviours = new Map<string, SandboxBehaviour>();
  private readonly pendingReplies = new Set<NodeJS.Timeout>();

  /**
   * @param checks the rules to check each path segment's calls against: the stack's own destinations (so that a
   *   postback such as `awin` is checked as a postback), then every built-in vendor, enabled or not.
   */
  constructor(
    private readonly logger: Logger,
    private readonly checks: ReadonlyMap<string, VendorAdapter<any, any>> = new Map(),
    /**
     * `lenient: true` answers 200 to a call that breaks its vendor's rules (recording the violations only), as the
     * sandbox did before it answered like a strict vendor. Default: strict.
     */
    private readonly options: { lenient?: boolean } = {},
  ) {}

  private adapterFor(name: string): VendorAdapter<any, any> | undefined {
    return this.checks.get(name) ?? (vendorAdapters as Record<string, VendorAdapter<any, any> | undefined>)[name];
  }

  /** Calls recorded so far, oldest first, optionally for one vendor. */
  requests(vendor?: string): RecordedRequest[] {
    return vendor ? this.recorded.filter((r) => r.vendor === vendor) : [...this.recorded];
  }

  clear(): number {
    const count = this.recorded.length;
    this.recorded = [];
    return count;
  }

  setBehaviour(vendor: string, behaviour: SandboxBehaviour | undefined): void {
    if (behaviour) this.behaviours.set(vendor, behaviour);
    else this.behaviours.delete(vendor);
  }

  /** Drops delayed answers still waiting (on stop). */
  close(): void {
    for (const timer of this.pendingReplies) clearTimeout(timer);
    this.pendingReplies.clear();
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const method = (request.method ?? 'GET').toUpperCase();
    const rawPath = url.split('?')[0]!;
    const segments = rawPath.slice(SANDBOX_PREFIX.length).split('/').filter(Boolean);
    const [vendor, action] = segments;

    const refused = refusal(request);
    if (refused) {
      request.resume();
      this.logger.warn(`refused ${method} ${rawPath}`, { reason: refused.message });
      return sendError(response, 403, 'forbidden', refused.message, SANDBOX_SECURITY_HEADERS);
    }
    if (!vendor) {
      request.resume();
      return sendJson(response, 200, {
        vendors: [...new Set([...this.checks.keys(), ...Object.keys(vendorAdapters)])].map((id) => `${SANDBOX_PREFIX}/${id}/`),
        requests: `${SANDBOX_PREFIX}/requests`,
        behaviour: `POST ${SANDBOX_PREFIX}/<vendor>/_behaviour {"status": 503, "times": 2}`,
      }, SANDBOX_SECURITY_HEADERS);
    }
    if (vendor === 'requests' && segments.length === 1) return this.serveRequests(request, response, method, url);
    if (action === '_behaviour' && segments.length === 2) return this.serveBehaviour(request, response, method, vendor);
    return this.receive(request, response, method, url, vendor);
  }

  private serveRequests(request: IncomingMessage, response: ServerResponse, method: string, url: string): void {
    request.resume();
    if (method === 'GET') {
      const vendor = new URLSearchParams(url.split('?')[1] ?? '').get('vendor') ?? undefined;
      return sendJson(response, 200, this.requests(vendor), SANDBOX_SECURITY_HEADERS);
    }
    if (method === 'DELETE') return sendJson(response, 200, { cleared: this.clear() }, SANDBOX_SECURITY_HEADERS);
    return sendError(response, 405, 'method_not_allowed', 'Use GET or DELETE on /sandbox/requests', { ...SANDBOX_SECURITY_HEADERS, allow: 'GET, DELETE' });
  }

  private async serveBehaviour(request: IncomingMessage, response: ServerResponse, method: string, vendor: string): Promise<void> {
    if (method === 'GET') {
      request.resume();
      return sendJson(response, 200, { vendor, behaviour: this.behaviours.get(vendor) ?? null }, SANDBOX_SECURITY_HEADERS);
    }
    if (method === 'DELETE') {
      request.resume();
      this.setBehaviour(vendor, undefined);
      return sendJson(response, 200, { vendor, behaviour: null }, SANDBOX_SECURITY_HEADERS);
    }
    if (method !== 'POST') {
      request.resume();
      return sendError(response, 405, 'method_not_allowed', 'Use GET, POST or DELETE on a behaviour', { ...SANDBOX_SECURITY_HEADERS, allow: 'GET, POST, DELETE' });
    }
    // A JSON content type is what a web page cannot send elsewhere without the CORS preflight the sandbox never passes.
    const type = mediaType(request.headers['content-type']);
    if (!isJsonType(type)) {
      request.resume();
      return sendError(response, 415, 'unsupported_media_type', `A behaviour is JSON: send it with Content-Type: application/json, not ${type ?? 'none'}`, SANDBOX_SECURITY_HEADERS);
    }
    const body = await readBody(request, 16 * 1024);
    const parsed = behaviourSchema.safeParse(body.overLimit ? undefined : parseJson(body.bytes.toString('utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return sendError(
        response,
        400,
        'validation_error',
        `Behaviour must be {"status": 100-599, "times"?: n, "body"?: "...", "headers"?: {...}, "delayMs"?: ms}: ${where}${issue?.message}`,
        SANDBOX_SECURITY_HEADERS,
      );
    }
    this.setBehaviour(vendor, parsed.data);
    this.logger.info(`${vendor} behaviour set`, { status: parsed.data.status, times: parsed.data.times ?? 'until reset' });
    return sendJson(response, 200, { vendor, behaviour: parsed.data }, SANDBOX_SECURITY_HEADERS);
  }

  /** The next answer for `vendor`, consuming one use of its behaviour. */
  private nextAnswer(vendor: string): SandboxBehaviour | undefined {
    const behaviour = this.behaviours.get(vendor);
    if (!behaviour) return undefined;
    if (behaviour.times !== undefined) {
      if (behaviour.times <= 1) this.behaviours.delete(vendor);
      else this.behaviours.set(vendor, { ...behaviour, times: behaviour.times - 1 });
    }
    return behaviour;
  }

  private async receive(request: IncomingMessage, response: ServerResponse, method: string, url: string, vendor: string): Promise<void> {
    // What the adapters send: no body, JSON (Klevu, JSON postbacks) or a form (form postbacks). Anything else – a
    // text/plain or multipart form a web page can post – is refused before it is recorded.
    const type = mediaType(request.headers['content-type']);
    if (type !== undefined && type !== FORM && !isJsonType(type)) {
      request.resume();
      return sendError(response, 415, 'unsupported_media_type', `A vendor call's body is JSON or ${FORM}, not ${type}`, SANDBOX_SECURITY_HEADERS);
    }
    const received = await readBody(request, MAX_SANDBOX_BODY_BYTES);
    if (received.overLimit) {
      response.setHeader('connection', 'close');
      return sendError(response, 413, 'payload_too_large', `The sandbox accepts bodies up to ${MAX_SANDBOX_BODY_BYTES} bytes`, SANDBOX_SECURITY_HEADERS);
    }
    if (type === undefined && received.bytes.length > 0) {
      return sendError(response, 415, 'unsupported_media_type', `A vendor call with a body says what it is: Content-Type application/json or ${FORM}`, SANDBOX_SECURITY_HEADERS);
    }
    const body = received.bytes.toString('utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const rest = url.slice(`${SANDBOX_PREFIX}/${vendor}`.length);
    const vendorUrl = rest.startsWith('/') ? rest : `/${rest}`;

    const adapter = this.adapterFor(vendor);
    let violations: string[] = [];
    if (adapter) {
      try {
        violations = adapter.inspect({ method, url: vendorUrl, headers, body });
      } catch (error) {
        violations = [`the ${vendor} check itself failed: ${(error as Error).message}`];
      }
    }

    // A real server refuses a request line this long before any vendor logic runs: 414, which no retry changes.
    const tooLong = urlBytes(url) > MAX_URL_BYTES;
    if (tooLong) violations.push(`URL of ${urlBytes(url)} bytes is over the ${MAX_URL_BYTES}-byte limit (414 URI Too Long)`);
    const scripted = tooLong ? { status: 414, body: 'URI Too Long' } : this.nextAnswer(vendor);
    // A strict vendor refuses what breaks its document: 400 with the violations, which become the delivery's
    // lastError. Violations marked "warning:" are advice the document does not enforce. A scripted answer wins.
    const blocking = violations.filter((v) => !v.startsWith('warning:'));
    const answer: SandboxBehaviour | undefined =
      scripted ?? (blocking.length && !this.options.lenient ? { status: 400, body: `${vendor} sandbox rejected the call: ${blocking.join('; ')}` } : undefined);
    const status = answer?.status ?? 200;
    const json = headers['content-type']?.includes('json') ? parseJson(body) : undefined;
    this.record({
      id: this.nextId++,
      vendor,
      method,
      url,
      vendorUrl,
      query: decodedQuery(url),
      headers,
      body,
      ...(json !== undefined ? { json } : {}),
      receivedAt: new Date().toISOString(),
      status,
      checked: adapter !== undefined,
      violations,
    });

    const path = vendorUrl.split('?')[0];
    if (!adapter) this.logger.warn(`${vendor} ${method} ${path} → ${status}`, { note: 'unknown vendor: recorded without checks' });
    else if (violations.length) this.logger.warn(`${vendor} ${method} ${path} → ${status}`, { violations });
    else this.logger.info(`${vendor} ${method} ${path} → ${status}`, { conforms: true });

    const reply = () => {
      // A scripted content-type is text/plain or JSON (behaviourHeaders); the security headers always win.
      const scripted = Object.fromEntries(Object.entries(answer?.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...scripted, ...SANDBOX_SECURITY_HEADERS });
      response.end(answer?.body ?? (status < 400 ? 'OK' : `Sandbox answered ${status}`));
    };
    if (!answer?.delayMs) return reply();
    const timer = setTimeout(() => {
      this.pendingReplies.delete(timer);
      reply();
    }, answer.delayMs);
    this.pendingReplies.add(timer);
  }

  private record(entry: RecordedRequest): void {
    this.recorded.push(entry);
    if (this.recorded.length > MAX_RECORDED) this.recorded.splice(0, this.recorded.length - MAX_RECORDED);
  }
}

/**
 * Why a request must be refused before the sandbox looks at it, or undefined. Its callers are the local sender
 * (Node's fetch sends neither `Origin` nor `Sec-Fetch-Site`) and a developer (curl, the address bar, the console on
 * this same origin); a page of any other origin – another site, or another port of this machine – is neither.
 */
function refusal(request: IncomingMessage): { message: string } | undefined {
  const host = request.headers.host;
  if (!isLocalHost(host)) return { message: 'The sandbox answers only on localhost' };
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  if ((origin !== undefined && origin.toLowerCase() !== `http://${host!.toLowerCase()}`) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
    return { message: 'The sandbox does not answer web pages of other origins' };
  }
  return undefined;
}
