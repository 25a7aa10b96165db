import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredClick } from '../core/attribution';
import { epochSeconds } from '../core/time';
import type { VisitorKey } from '../core/visitor';
import { CLICK_PREFIX, clickSk, LINK_PREFIX, linkedKey, linkSk, visitorPk } from './keys';
import { conditionHeld, SingleTable } from './table';

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
   * The keys given and every key reachable from them through unexpired links, however many and however far: one
   * Query per key, a level at a time, each level in parallel. Each key comes with all its click records and links,
   * those past their TTL included and marked not live; an expired link is listed but not followed. The only bound is
   * age – a link lives for the longest window plus the grace for late reports after the identify that made it – so
   * the cost grows with the keys a visitor linked within that time (docs/DATA-MODEL.md). Nodes come level by level,
   * in the order their keys were reached. `consistent`: strongly consistent reads (the local console's).
   */
  async visitorGraph(keys: VisitorKey[], now: Date, consistent = false): Promise<VisitorNode[]> {
    const nowEpoch = epochSeconds(now);
    const isLive = (ttl: unknown) => !(typeof ttl === 'number' && ttl <= nowEpoch);
    const reached = new Map(keys.map((key) => [visitorPk(key), { key }] as const));
    let frontier: Array<{ key: VisitorKey; via?: VisitorKey }> = [...reached.values()];
    const nodes: VisitorNode[] = [];
    while (frontier.length) {
      const level = await Promise.all(frontier.map(async (entry) => ({ entry, items: await this.queryPartition(visitorPk(entry.key), consistent) })));
      frontier = [];
      for (const { entry, items } of level) {
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
    return nodes;
  }

  /**
   * Conversion: every unexpired click record held by the given keys or by any key reachable from them through
   * unexpired links – the live clicks of visitorGraph, with its requests.
   */
  async clicksForVisitor(keys: VisitorKey[], now: Date): Promise<StoredClick[]> {
    const nodes = await this.visitorGraph(keys, now);
    return nodes.flatMap((node) => node.clicks.filter((click) => click.live).map(({ live: _live, ...click }) => click));
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
