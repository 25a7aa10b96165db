/**
 * What the local stack remembers of each conversion for the console, beyond what the table keeps: the message
 * queued for each destination (order, click ids chosen) and the visitor keys the shop sent. From these it tells
 * which stored click each destination was given – read when the console first shows the order (a later capture
 * may have replaced the record by then: the console says so) – and which sandbox calls belong to the order.
 * Nothing is read unless the console asks: a stack nobody looks at does no extra work.
 */
import type { ClickIdCatalogue } from '../../lambdas/core/click-ids';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import { Destination, MessageContextError, requestsFor } from '../../lambdas/config/destinations';
import type { VendorRequest } from '../../lambdas/vendors/types';
import { VisitorKey } from '../../lambdas/core/visitor';
import type { DeliveryQueues } from '../../lambdas/store/delivery-queues';
import type { RecordedRequest } from '../sandbox';
import type { ConsoleReader, VisitorNode } from './reader';

export interface AttributedClick {
  /** Storage name of the click id: `kk`, `qc_clickid`, `raptor.coid`, … */
  key: string;
  value: string;
  /** `stored`: a click record of the visitor; `conversion`: given in the conversion's `identifiers`. */
  source: 'stored' | 'conversion';
  occurredAt?: string;
  /** The visitor key holding the record, and the keys from the conversion's own key to it (first = the one given). */
  heldBy?: VisitorKey;
  path?: VisitorKey[];
}

export interface JournalEntry {
  orderId: string;
  /** The keys given with the conversion; empty until its answer (messages are queued before it). */
  visitor: VisitorKey[];
  identifiers?: Record<string, Record<string, string>>;
  messages: Map<string, DeliveryMessage>;
  /** Per destination; read once, when first asked for. */
  attribution?: Promise<Record<string, AttributedClick[]> | { error: string }>;
}

/** Kept like the sandbox's calls: the most recent only, so a long session does not grow without bound. */
const MAX_ENTRIES = 1000;

const label = (key: VisitorKey) => `${key.kind}\u0000${key.value}`;

function stringValues(value: unknown): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') found.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return found;
}

/**
 * For each destination given a message: the click ids it may attribute on (its catalogue windows) whose value is
 * the one in its message, with the record that held it. Pure, over a snapshot of the visitor's keys.
 */
export function explainAttribution(
  entry: Pick<JournalEntry, 'messages' | 'identifiers'>,
  catalogue: ClickIdCatalogue,
  nodes: VisitorNode[],
): Record<string, AttributedClick[]> {
  const byLabel = new Map(nodes.map((n) => [label(n.key), n]));
  const pathTo = (node: VisitorNode): VisitorKey[] => {
    const path = [node.key];
    for (let at = node; at.via; ) {
      const parent = byLabel.get(label(at.via));
      if (!parent || path.length > nodes.length) break;
      path.unshift(parent.key);
      at = parent;
    }
    return path;
  };
  const result: Record<string, AttributedClick[]> = {};
  for (const [destination, message] of entry.messages) {
    const given = stringValues(message.context);
    const clicks: AttributedClick[] = [];
    for (const catalogueEntry of catalogue.values()) {
      if (catalogueEntry.windows[destination] === undefined) continue;
      const { key, source } = catalogueEntry;
      const override = 'identifier' in source ? entry.identifiers?.[source.identifier.vendor]?.[source.identifier.field]?.trim() : undefined;
      if (override && given.has(override)) {
        clicks.push({ key, value: override, source: 'conversion' });
        continue;
      }
      const held = nodes
        .flatMap((node) => node.clicks.filter((c) => c.key === key && given.has(c.value)).map((click) => ({ node, click })))
        .sort((a, b) => b.click.occurredAt.localeCompare(a.click.occurredAt))[0];
      if (held) {
        clicks.push({ key, value: held.click.value, source: 'stored', occurredAt: held.click.occurredAt, heldBy: held.node.key, path: pathTo(held.node) });
      }
    }
    result[destination] = clicks;
  }
  return result;
}

/** A queued request as the sandbox would record it: method, path and query as sent, body. */
function expectedCalls(destination: Destination, message: DeliveryMessage): Array<{ method: string; target: string; body?: string }> {
  let requests: VendorRequest[];
  try {
    requests = requestsFor(destination, message);
  } catch (error) {
    if (error instanceof MessageContextError) return [];
    throw error;
  }
  return requests.map((request) => {
    // What fetch puts on the request line: the WHATWG serialisation of the URL's path and query.
    const url = new URL(request.url);
    return { method: request.method, target: `${url.pathname}${url.search}`, ...(request.body !== undefined ? { body: request.body } : {}) };
  });
}

export class ConversionJournal {
  private readonly entries = new Map<string, JournalEntry>();

  constructor(
    private readonly lookups: () => { reader: ConsoleReader; catalogue: ClickIdCatalogue } | undefined,
  ) {}

  get(orderId: string): JournalEntry | undefined {
    return this.entries.get(orderId);
  }

  /** Wraps the conversion's queues: every message that reached its queue is remembered. */
  recordQueued(inner: DeliveryQueues): DeliveryQueues {
    return {
      send: async (message) => {
        await inner.send(message);
        this.entry(message.order.orderId).messages.set(message.destination, message);
      },
    };
  }

  /** A conversion was accepted (202): remember its visitor keys and the identifiers it carried. */
  accepted(orderId: string, visitor: VisitorKey[], identifiers: Record<string, Record<string, string>> | undefined): void {
    const entry = this.entry(orderId);
    entry.visitor = visitor;
    if (identifiers) entry.identifiers = identifiers;
  }

  /** Which records attributed each destination of an accepted order; read on the first call, then kept. */
  attribution(orderId: string): JournalEntry['attribution'] {
    const entry = this.entries.get(orderId);
    const lookups = this.lookups();
    if (!entry || !entry.visitor.length || !lookups) return undefined;
    entry.attribution ??= lookups.reader.visitor(entry.visitor).then(
      (nodes) => explainAttribution(entry, lookups.catalogue, nodes),
      (error: unknown) => ({ error: `could not read the visitor's records: ${(error as Error).message}` }),
    );
    return entry.attribution;
  }

  /** The sandbox calls the destination's sender made for this order (every attempt), oldest first. */
  callsFor(orderId: string, destination: Destination, recorded: RecordedRequest[]): RecordedRequest[] | undefined {
    const message = this.entries.get(orderId)?.messages.get(destination.id);
    if (!message) return undefined;
    const expected = expectedCalls(destination, message);
    return recorded.filter((r) => expected.some((e) => e.method === r.method && e.target === r.url && (e.body === undefined || e.body === r.body)));
  }

  private entry(orderId: string): JournalEntry {
    let entry = this.entries.get(orderId);
    if (!entry) {
      entry = { orderId, visitor: [], messages: new Map() };
      this.entries.set(orderId, entry);
      if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    return entry;
  }
}
