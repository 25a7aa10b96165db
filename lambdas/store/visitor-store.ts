import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredClick } from '../core/attribution';
import { Clock, epochSeconds, systemClock } from '../core/time';
import type { VisitorKey, VisitorKeyKind } from '../core/visitor';
import { CLICK_PREFIX, clickSk, LINK_PREFIX, linkedKey, linkSk, visitorPk } from './keys';
import { conditionHeld, Item, SingleTable } from './table';

/**
 * How long a conversion may spend following a visitor's links (VisitorStore.traverse). A visitor's keys take a few
 * milliseconds; a key shared by many visitors (a userId of "guest") may link 100,000 others, whose reading would
 * outlast the API function's 10 s. What is not read by then is left out of the attribution, with a reason, well
 * inside that timeout: the conversion still queues, records and answers.
 */
export const TRAVERSAL_BUDGET_MS = 2_000;

/** Partitions read at once within a level of the traversal, so that the budget can stop a level of many keys. */
export const TRAVERSAL_CONCURRENCY = 32;

export interface TraversalOptions {
  /** Strongly consistent reads (the local console's). */
  consistent?: boolean;
  /** What the budget is measured with; tests drive it. Default: the system clock. */
  clock?: Clock;
  /** Default TRAVERSAL_BUDGET_MS. */
  budgetMs?: number;
  /** Items per Query page (DynamoDB's own limit is 1 MB); for tests that need several pages of few items. */
  pageSize?: number;
}

/** A traversal the budget stopped: which keys it read, which it reached but left unread, and why. */
export interface TraversalCut {
  reason: string;
  /** Keys read in full. */
  keysRead: number;
  /** Keys reached through links but not read: their click ids and links were not considered. */
  keysUnread: number;
  /** Kinds of the keys whose links were read in part: the keys with too many links. */
  partial: VisitorKeyKind[];
}

/** What a traversal found: the nodes read, and the cut when the budget stopped it. */
export interface VisitorGraph {
  nodes: VisitorNode[];
  cut?: TraversalCut;
}

/** The click ids a conversion attributes with (VisitorStore.attributionInputs), and the cut when the budget stopped the traversal. */
export interface AttributionInputs {
  clicks: StoredClick[];
  cut?: TraversalCut;
}

/** A click identifier value to store under each of a visitor's keys. */
export interface ClickToStore {
  key: string;
  value: string;
  occurredAt: Date;
  /** Epoch seconds (the record's TTL): the longest window of any destination that uses this click id, plus the grace for late reports. */
  expiresAt: number;
}

/** What a capture wrote: `superseded` counts the records left alone because they already held a newer click. */
export interface SavedClicks {
  written: number;
  superseded: number;
}

/** A click record as read, expired or not: `live` is false once its TTL has passed (DynamoDB deletes it only eventually). */
export interface StoredClickView extends StoredClick {
  live: boolean;
}

/** One key a visitor's traversal reached: its click records and its links, expired ones included and marked not live. */
export interface VisitorNode {
  key: VisitorKey;
  /** The key whose link led here; absent for the keys looked up. */
  via?: VisitorKey;
  clicks: StoredClickView[];
  links: Array<{ key: VisitorKey; expiresAt: number; live: boolean }>;
}

/** Click records and visitor links: the `VIS#…` partitions. */
export class VisitorStore extends SingleTable {
  /**
   * Capture: one item per (visitor key, click id), and the newest `occurredAt` wins whatever order captures arrive in:
   * each item is a PutItem conditioned on the stored click being older (equal times: the greater value wins, so that
   * the outcome never depends on arrival order). A late capture of an older click changes nothing – neither the value
   * nor the TTL. BatchWriteItem cannot carry a condition, hence one request per item, all in parallel; the write
   * units are the same (one per item, a refused condition included).
   */
  async saveClicks(keys: VisitorKey[], clicks: ClickToStore[]): Promise<SavedClicks> {
    const results = await Promise.all(keys.flatMap((visitor) => clicks.map((click) => this.putNewerClick(visitorPk(visitor), click))));
    const written = results.filter(Boolean).length;
    return { written, superseded: results.length - written };
  }

  private async putNewerClick(pk: string, click: ClickToStore): Promise<boolean> {
    const occurredAt = click.occurredAt.toISOString();
    return conditionHeld(
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: clickSk(click.key), key: click.key, value: click.value, occurredAt, ttl: click.expiresAt },
          // ISO 8601 timestamps of one format (toISOString) compare as strings in time order.
          ConditionExpression: 'attribute_not_exists(pk) OR occurredAt < :at OR (occurredAt = :at AND #value < :value)',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':at': occurredAt, ':value': click.value },
        }),
      ),
    );
  }

  /** Identify: links every pair of keys, both ways, so any one of them reaches the others' clicks. */
  async linkVisitorKeys(keys: VisitorKey[], expiresAt: number): Promise<void> {
    const puts = keys.flatMap((from) =>
      keys
        .filter((to) => to !== from)
        .map((to) => ({ PutRequest: { Item: { pk: visitorPk(from), sk: linkSk(to), ttl: expiresAt } } })),
    );
    await this.batchWrite(puts);
  }

  /**
   * The keys given and every key reachable from them through unexpired links (traverse), without the cut.
   * `consistent`: strongly consistent reads (the local console's).
   */
  async visitorGraph(keys: VisitorKey[], now: Date, consistent = false, options: Omit<TraversalOptions, 'consistent'> = {}): Promise<VisitorNode[]> {
    return (await this.traverse(keys, now, { ...options, consistent })).nodes;
  }

  /**
   * The keys given and every key reachable from them through unexpired links: one Query per key (every page of its
   * partition), a level at a time, each level's partitions read in parallel (TRAVERSAL_CONCURRENCY at once). Each key
   * comes with all its click records and links, those past their TTL included and marked not live; an expired link
   * is listed but not followed. Age bounds what is followed – a link lives for the longest window plus the grace for
   * late reports after the identify that made it (docs/DATA-MODEL.md) – and time bounds the reading: once
   * `budgetMs` has passed (measured with `clock` before each request), no further page or partition is read. A
   * partition cut between pages keeps the items read (its click records sort before its links, so they are read
   * first); a key reached but not read is left out. The result then carries the cut, with its reason, and never
   * takes much longer than the budget plus one round trip. Nodes come level by level, in the order their keys were
   * reached.
   */
  async traverse(keys: VisitorKey[], now: Date, options: TraversalOptions = {}): Promise<VisitorGraph> {
    const clock = options.clock ?? systemClock;
    const budgetMs = options.budgetMs ?? TRAVERSAL_BUDGET_MS;
    const deadline = clock().getTime() + budgetMs;
    const withinBudget = () => clock().getTime() < deadline;
    const nowEpoch = epochSeconds(now);
    const isLive = (ttl: unknown) => !(typeof ttl === 'number' && ttl <= nowEpoch);
    const reached = new Map(keys.map((key) => [visitorPk(key), { key }] as const));
    let frontier: Array<{ key: VisitorKey; via?: VisitorKey }> = [...reached.values()];
    const nodes: VisitorNode[] = [];
    const partial: VisitorKeyKind[] = [];
    let unread = 0;
    while (frontier.length) {
      const level = await this.readLevel(frontier, options, withinBudget);
      frontier = [];
      for (const { entry, items, complete } of level) {
        if (!items) {
          unread += 1;
          continue;
        }
        if (!complete) partial.push(entry.key.kind);
        const node: VisitorNode = { key: entry.key, ...(entry.via ? { via: entry.via } : {}), clicks: [], links: [] };
        for (const item of items) {
          const sk = String(item.sk);
          const expiresAt = Number(item.ttl);
          const live = isLive(item.ttl);
          if (sk.startsWith(CLICK_PREFIX)) {
            node.clicks.push({ key: String(item.key), value: String(item.value), occurredAt: String(item.occurredAt), expiresAt, live });
          } else if (sk.startsWith(LINK_PREFIX)) {
            const linked = linkedKey(sk);
            if (!linked) continue;
            node.links.push({ key: linked, expiresAt, live });
            if (live && !reached.has(visitorPk(linked))) {
              const next = { key: linked, via: entry.key };
              reached.set(visitorPk(linked), next);
              frontier.push(next);
            }
          }
        }
        nodes.push(node);
      }
    }
    if (!unread && !partial.length) return { nodes };
    const keysRead = nodes.length - partial.length;
    const inPart = partial.length ? `, ${partial.length} ${[...new Set(partial)].join('/')} key(s) with too many links read in part` : '';
    return {
      nodes,
      cut: {
        reason: `visitor links not all followed within ${budgetMs} ms: ${keysRead} key(s) read in full${inPart}, ${unread} linked key(s) not read; click ids held only by those were not considered`,
        keysRead,
        keysUnread: unread,
        partial,
      },
    };
  }

  /**
   * One level of the traversal, TRAVERSAL_CONCURRENCY partitions at a time: each entry with its items (`complete`
   * when every page was read), or without items when the budget was spent before its first page.
   */
  private async readLevel(
    frontier: Array<{ key: VisitorKey; via?: VisitorKey }>,
    options: TraversalOptions,
    withinBudget: () => boolean,
  ): Promise<Array<{ entry: { key: VisitorKey; via?: VisitorKey }; items?: Item[]; complete: boolean }>> {
    const results: Array<{ entry: { key: VisitorKey; via?: VisitorKey }; items?: Item[]; complete: boolean }> = frontier.map((entry) => ({ entry, complete: false }));
    let next = 0;
    const worker = async () => {
      while (next < results.length) {
        const result = results[next++]!;
        if (!withinBudget()) continue;
        const read = await this.queryPartitionWhile(visitorPk(result.entry.key), withinBudget, options);
        result.items = read.items;
        result.complete = read.complete;
      }
    };
    await Promise.all(Array.from({ length: Math.min(TRAVERSAL_CONCURRENCY, results.length) }, worker));
    return results;
  }

  /**
   * Conversion: every unexpired click record held by the given keys or by any key reachable from them through
   * unexpired links – the live clicks of visitorGraph, with its requests.
   */
  async clicksForVisitor(keys: VisitorKey[], now: Date, options: Omit<TraversalOptions, 'consistent'> = {}): Promise<StoredClick[]> {
    return (await this.attributionInputs(keys, now, options)).clicks;
  }

  /** Conversion: the live clicks of traverse (eventually consistent), and its cut when the budget stopped it. */
  async attributionInputs(keys: VisitorKey[], now: Date, options: Omit<TraversalOptions, 'consistent'> = {}): Promise<AttributionInputs> {
    const { nodes, cut } = await this.traverse(keys, now, options);
    const clicks = nodes.flatMap((node) => node.clicks.filter((click) => click.live).map(({ live: _live, ...click }) => click));
    return cut ? { clicks, cut } : { clicks };
  }

  /** Erase: deletes the keys' click records and links (and the links pointing back at them). Returns items deleted. */
  async eraseVisitor(keys: VisitorKey[]): Promise<number> {
    const deletes: Array<{ pk: string; sk: string }> = [];
    for (const key of keys) {
      const pk = visitorPk(key);
      for (const item of await this.queryPartition(pk)) {
        const sk = String(item.sk);
        deletes.push({ pk, sk });
        const linked = sk.startsWith(LINK_PREFIX) ? linkedKey(sk) : undefined;
        if (linked) deletes.push({ pk: visitorPk(linked), sk: linkSk(key) });
      }
    }
    const unique = [...new Map(deletes.map((d) => [`${d.pk}\u0000${d.sk}`, d])).values()];
    await this.batchWrite(unique.map((Key) => ({ DeleteRequest: { Key } })));
    return unique.length;
  }
}
