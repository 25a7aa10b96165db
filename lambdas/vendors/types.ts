import type * as z from 'zod/mini';
import type { ClickIdSpec } from '../core/click-ids';
import type { Order } from '../core/order';

/** A vendor call described as data: adapters build these, the shared HTTP sender performs them. */
export interface VendorRequest {
  /** Stable within one delivery: lets a multi-call delivery resume after a partial failure. */
  key: string;
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Overrides `delivery.timeoutMs` downwards for vendors that ask for a short timeout. */
  timeoutMs?: number;
}

export interface VendorResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as text, truncated to a few KiB. */
  body: string;
}

export type DeliveryOutcome =
  /**
   * The vendor holds the sale. `vendorStatus` is absent when no answer came (a vendor that books on receipt); `note`
   * says why an answer that is not a plain acceptance still means `sent` (a duplicate notice, a read timeout), and is
   * kept in the attempt history.
   */
  | { kind: 'sent'; vendorStatus?: number; note?: string }
  | { kind: 'retry'; error: string; vendorStatus?: number; retryAfterSeconds?: number }
  | { kind: 'failed'; error: string; vendorStatus?: number };

/**
 * How far a call without an answer got. `connect`: the request was not handed to a connected socket in full (refused,
 * DNS failure, no connection in time) – the vendor cannot have received it. `sent`: it was, and then no answer came
 * in time or the connection dropped – the vendor may well have received it.
 */
export type TransportPhase = 'connect' | 'sent';

/** A call that got no HTTP answer, as the HTTP sender reports it (TransportError). */
export interface TransportFailure {
  /** `Transport error: …`, for `lastError` and the attempt history. */
  readonly message: string;
  /** The call's deadline passed (as opposed to a refused, reset or unresolvable connection). */
  readonly timedOut: boolean;
  readonly phase: TransportPhase;
}

export type DeliveryPlan<Context> = { deliver: true; context: Context } | { deliver: false; reason: string };

export interface PlanInput<Config> {
  order: Order;
  config: Config;
  /** The live value of a click identifier within this destination's attribution window, if any. */
  click: (key: string) => string | undefined;
  /**
   * A source of randomness in [0, 1), seeded by the order id, injectable for tests. No adapter draws from it now:
   * Kelkoo's saleId needs the account's comId in its seed as well (kelkoo/mapping.ts, kelkooSaleId).
   */
  random: () => number;
}

export interface BuildInput<Config, Context> {
  order: Order;
  config: Config;
  context: Context;
  /** `{channel}` of an exclusive group the destination belongs to, as decided at conversion time. */
  channel?: string;
}

/**
 * Everything the service knows about one vendor's wire format. Pure: no I/O, no clock, no globals,
 * so every adapter is testable from its document's examples alone.
 */
export interface VendorAdapter<Config = unknown, Context extends Record<string, unknown> = Record<string, unknown>> {
  /** The vendor's key under `vendors` in the configuration. */
  readonly id: string;
  readonly displayName: string;
  /** Where the vendor documents the call (file under shared vendor docs, or URL). */
  readonly documentation: string;
  /**
   * The schemas, built on first call (`lazy` in core/lazy.ts): no API function ever builds a vendor's schemas – the
   * stack validated the configuration at synthesis – and a sender builds only its own vendor's context schema.
   */
  readonly configSchema: () => z.ZodMiniType<Config>;
  readonly contextSchema: () => z.ZodMiniType<Context>;
  /** Click identifiers this vendor attributes on, with their windows. */
  clickIds(config: Config): ClickIdSpec[];
  /** At conversion time: call this vendor for this order, or skip it with a reason. */
  plan(input: PlanInput<Config>): DeliveryPlan<Context>;
  /** At send time: the exact HTTP call(s). */
  buildRequests(input: BuildInput<Config, Context>): VendorRequest[];
  /** Success from status *and* body; retryable or not. */
  classify(response: VendorResponse, request: VendorRequest): DeliveryOutcome;
  /**
   * A call that got no answer. Absent: the sender retries it, as it must for a vendor that may not have received it.
   * A vendor whose document says it books a call on receipt (QUALITYCLICK) may take a read timeout after the request
   * was sent as `sent`.
   */
  classifyTransportError?(failure: TransportFailure, request: VendorRequest): DeliveryOutcome;
  /**
   * For the local vendor sandbox: every way a received request breaks the vendor's documented mandatory
   * parameters and encodings (empty when it conforms). `request.url` is the path and query as received.
   */
  inspect(request: ReceivedRequest): string[];
  /** What the adapter supports beyond planning and making a sale's calls. Code asks these, never which adapter it is. */
  readonly capabilities?: AdapterCapabilities<Config>;
}

/** Optional abilities of an adapter; absent means not supported. */
export interface AdapterCapabilities<Config> {
  /** A sale sent with this configuration can be cancelled with a call of its own (a postback's `cancel` template). */
  readonly cancellationCall?: (config: Config) => boolean;
  /** Its deliveries are cancellation calls, queued by the cancellation route from a sent sale – never planned from a report. */
  readonly cancellationOnly?: boolean;
  /**
   * The click ids (storage names) that are this vendor's own clicks, the only ones through which it wins an exclusive
   * group (unless the group's `winningParams` says otherwise). Absent: every click id it attributes on. Kelkoo: `kk` –
   * it is also sent `gclid`/`msclkid`, which are the merchant's own Google and Microsoft Ads clicks.
   */
  readonly ownClickIds?: (config: Config) => string[];
  /**
   * How many days after an order this vendor still accepts a call about it, when its own document states such a limit:
   * `npm run replay` refuses an older order with that reason (scripts/replay.ts). None of the five vendors' documents
   * states one; a postback declares its network's as `reportWithinDays`.
   */
  readonly reportingWindowDays?: (config: Config) => number | undefined;
  /** The fields of this configuration whose templates use `{channel}` (the exclusive group's winner), e.g. `url`. */
  readonly channelFields?: (config: Config) => string[];
  /** For the console: the values this adapter encodes in a call's query, decoded (or why they could not be). */
  readonly decodeQuery?: (param: (name: string) => string | undefined) => Record<string, unknown>;
}

/** A request as a vendor's server receives it. */
export interface ReceivedRequest {
  method: string;
  /** Path and raw (still percent-encoded) query string, e.g. `/st?country=fr&…`. */
  url: string;
  headers: Record<string, string>;
  body: string;
}
