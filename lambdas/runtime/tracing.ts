/**
 * X-Ray tracing with Powertools Tracer, when `observability.tracing` is on (TRACING_ENABLED_VARIABLE set to `true`
 * with the function's Active tracing mode). Off – the default – nothing here loads the tracer or the X-Ray SDK, whose
 * module init every cold start would pay for: `tracing` is then NO_TRACING, which changes nothing it is given.
 *
 * On, every invocation is a `## <function>` subsegment (ColdStart and Service annotations, as Powertools' own handler
 * wrapper adds), a sender's every message one more, `## <destination>`, annotated with `orderId` and `destination`;
 * under them each AWS SDK call (DynamoDB, SQS) is a subsegment carrying the same annotations – a message sent to a
 * delivery queue the destination it is for – and each vendor call one named after the vendor's host. Nothing is
 * recorded that a log line may not hold: no request body, no response, and of a vendor call's URL only its origin (a
 * path or query may carry a token or a click id). X-Ray lets a trace be found by annotation:
 * `annotation.orderId = "CMD0572084"`.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { TRACING_ENABLED_VARIABLE } from '../contract/runtime-config';
import type { HttpSender } from '../vendors/http-sender';

/** The annotations a subsegment carries (an absent value is left out). */
export interface TraceAnnotations {
  orderId?: string | undefined;
  destination?: string | undefined;
}

type Handler<E, R> = (event: E, context: Context) => Promise<R>;
type SenderHandler = Handler<SQSEvent, SQSBatchResponse>;

export interface Tracing {
  readonly enabled: boolean;
  /** An AWS SDK v3 client whose every call is a subsegment with the annotations of the call's context. */
  client<C extends object>(client: C): C;
  /** An API function's handler: each invocation a subsegment annotated with the order it concerns, if any. */
  apiHandler<E, R>(name: string, handler: Handler<E, R>, orderIdOf: (event: E) => string | undefined): Handler<E, R>;
  /**
   * A sender's handler: each message of a batch handled in a subsegment of its own, annotated with its order and the
   * destination – by a call of the handler per message, all at once as the batch would be; the failures are merged.
   */
  senderHandler(destination: string, handler: SenderHandler): SenderHandler;
  /** The vendor calls of `destination`: each a subsegment named after the vendor's host. */
  vendorCalls(http: HttpSender, destination: string): HttpSender;
}

/** Tracing off: everything as given. */
export const NO_TRACING: Tracing = {
  enabled: false,
  client: (client) => client,
  apiHandler: (_name, handler) => handler,
  senderHandler: (_destination, handler) => handler,
  vendorCalls: (http) => http,
};

/** The order id of a message on a delivery queue (DeliveryMessage), if its body says. */
export function orderIdOfRecord(record: Pick<SQSRecord, 'body'>): string | undefined {
  try {
    const id = (JSON.parse(record.body) as { order?: { orderId?: unknown } }).order?.orderId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The order an API request concerns: `{orderId}` of its path, else `orderId` of its JSON body (Base64 or not). */
export function orderIdOfRequest(event: { pathParameters?: Record<string, string | undefined>; body?: string; isBase64Encoded?: boolean }): string | undefined {
  const fromPath = event.pathParameters?.orderId;
  if (fromPath !== undefined) return fromPath;
  if (!event.body) return undefined;
  try {
    const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const id = (JSON.parse(text) as { orderId?: unknown }).orderId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The tracing the function's environment asks for: NO_TRACING unless TRACING_ENABLED_VARIABLE is `true`. */
export function tracingOf(env: NodeJS.ProcessEnv, serviceName: string): Tracing {
  // In a bundle built without the tracer esbuild reads this condition as false while it parses, so the X-Ray wrappers
  // below are referenced from dead code only and left out of the bundle.
  if (process.env.TRACKING_TRACER_BUNDLED !== 'false' && env[TRACING_ENABLED_VARIABLE] === 'true') {
    const powertools = loadTracer();
    if (powertools) return xrayTracing(powertools.Tracer, serviceName);
  }
  return NO_TRACING;
}

/**
 * Powertools Tracer, required here and only here so that a function without tracing never pays the X-Ray SDK's module
 * init; undefined in a bundle built without it (`process.env.TRACKING_TRACER_BUNDLED` is replaced by esbuild: the
 * condition is then false as esbuild reads it, and the require – a quarter of the bundle – is never bundled).
 */
function loadTracer(): typeof import('@aws-lambda-powertools/tracer') | undefined {
  if (process.env.TRACKING_TRACER_BUNDLED !== 'false') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  }
  return undefined;
}

/** The minimal shape of an X-Ray (sub)segment this module uses. */
interface XraySegment {
  id: string;
  parent?: XraySegment;
  annotations?: Record<string, unknown>;
  subsegments?: XraySegment[];
  http?: Record<string, unknown>;
  addNewSubsegment(name: string): XraySegment;
  addAnnotation(key: string, value: string | number | boolean): void;
  addAttribute(key: string, value: unknown): void;
  addErrorFlag(): void;
  addFaultFlag(): void;
  addThrottleFlag(): void;
  close(): void;
}

interface MiddlewareStack {
  addRelativeTo(middleware: unknown, options: { relation: 'after'; toMiddleware: string; name: string }): void;
}

/** The name aws-xray-sdk-core gives its middleware on an instrumented client (the SDK call's subsegment opens there). */
const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';
const ANNOTATION_KEYS = ['orderId', 'destination'] as const;

function annotate(segment: XraySegment, annotations: TraceAnnotations): void {
  for (const key of ANNOTATION_KEYS) {
    const value = annotations[key];
    if (value !== undefined && value !== '') segment.addAnnotation(key, value);
  }
}

/** The annotations a subsegment inherits: the nearest of each along its parents. */
function inherited(segment: XraySegment | undefined): TraceAnnotations {
  const found: TraceAnnotations = {};
  for (let at = segment; at; at = at.parent) {
    for (const key of ANNOTATION_KEYS) {
      const value = at.annotations?.[key];
      if (found[key] === undefined && typeof value === 'string') found[key] = value;
    }
  }
  return found;
}

function xrayTracing(Tracer: typeof import('@aws-lambda-powertools/tracer').Tracer, serviceName: string): Tracing {
  // Not Powertools' global HTTP capture: it records every URL whole, tokens and click ids included.
  const tracer = new Tracer({ serviceName, captureHTTPsRequests: false });
  const current = () => tracer.getSegment() as unknown as XraySegment | undefined;

  /** Runs `work` in a new subsegment of the current one, made current for everything `work` awaits. */
  const within = <T>(name: string, annotations: TraceAnnotations, work: () => Promise<T>): Promise<T> => {
    if (!current()) return work();
    return tracer.provider.captureAsyncFunc(name, async (subsegment?: unknown) => {
      const segment = subsegment as XraySegment;
      annotate(segment, annotations);
      try {
        return await work();
      } finally {
        segment.close();
      }
    }) as Promise<T>;
  };

  return {
    enabled: true,

    client<C extends object>(client: C): C {
      tracer.captureAWSv3Client(client);
      // After X-Ray's middleware opened the call's subsegment (and named it in the trace header), before the call.
      const annotateCall = (next: (args: unknown) => Promise<unknown>) => async (args: { input?: Record<string, unknown>; request?: { headers?: Record<string, string> } }) => {
        const parentId = /Parent=([0-9a-f]+)/.exec(args.request?.headers?.['X-Amzn-Trace-Id'] ?? '')?.[1];
        const parent = current();
        const call = parentId ? parent?.subsegments?.find((s) => s.id === parentId) : undefined;
        if (call) {
          const annotations = inherited(parent);
          // A message for a delivery queue names its destination and order (DeliveryMessage).
          const body = args.input?.MessageBody;
          if (typeof body === 'string') {
            try {
              const message = JSON.parse(body) as { destination?: unknown; order?: { orderId?: unknown } };
              if (typeof message.destination === 'string') annotations.destination = message.destination;
              if (typeof message.order?.orderId === 'string') annotations.orderId = message.order.orderId;
            } catch {
              // Not a delivery message: the context's annotations only.
            }
          }
          annotate(call, annotations);
        }
        return next(args);
      };
      (client as unknown as { middlewareStack: MiddlewareStack }).middlewareStack.addRelativeTo(annotateCall, {
        relation: 'after',
        toMiddleware: XRAY_MIDDLEWARE,
        name: 'TraceAnnotations',
      });
      return client;
    },

    apiHandler(name, handler, orderIdOf) {
      return (event, context) =>
        within(`## ${name}`, { orderId: orderIdOf(event) }, () => {
          tracer.annotateColdStart();
          tracer.addServiceNameAnnotation();
          return handler(event, context);
        });
    },

    senderHandler(destination, handler) {
      return (event, context) =>
        within(`## sender`, { destination }, async () => {
          tracer.annotateColdStart();
          tracer.addServiceNameAnnotation();
          const results = await Promise.all(
            event.Records.map((record) =>
              within(`## ${destination}`, { orderId: orderIdOfRecord(record), destination }, () => handler({ ...event, Records: [record] }, context)),
            ),
          );
          return { batchItemFailures: results.flatMap((result) => result.batchItemFailures) };
        });
    },

    vendorCalls(http, destination) {
      return {
        async send(request, timeoutMs) {
          const parent = current();
          let origin: string;
          try {
            origin = new URL(request.url).origin;
          } catch {
            return http.send(request, timeoutMs);
          }
          if (!parent) return http.send(request, timeoutMs);
          const call = parent.addNewSubsegment(new URL(origin).host);
          call.addAttribute('namespace', 'remote');
          annotate(call, { ...inherited(parent), destination });
          call.http = { request: { method: request.method, url: origin } };
          try {
            const response = await http.send(request, timeoutMs);
            call.http = { ...call.http, response: { status: response.status } };
            if (response.status === 429) call.addThrottleFlag();
            if (response.status >= 500) call.addFaultFlag();
            else if (response.status >= 400) call.addErrorFlag();
            return response;
          } catch (error) {
            // No answer: the error's message stays in the function's logs, which redact it; the trace says only that.
            call.addFaultFlag();
            throw error;
          } finally {
            call.close();
          }
        },
      };
    },
  };
}
