import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AttemptRecord, DeliveryStatus } from '../core/delivery';
import { UNSETTLED_INDEX } from '../contract/shape';
import type { CancelOutcome, CancelWith } from './cancellation-records';
import { deliverySk, orderPk } from './keys';
import { conditionHeld, SingleTable } from './table';
import { listUnsettled, UnsettledPage, UnsettledQuery } from './unsettled';

export type DeliveryClaim =
  /** `leaseUntil` (epoch ms) identifies this sender's lease: progress writes are accepted only while it holds. */
  | { kind: 'claimed'; attempts: number; completedRequests: string[]; leaseUntil: number; history?: AttemptRecord[] }
  /**
   * Already sent, failed, skipped or cancelled: nothing more to do. `cancelledNow`: this claim found the order's
   * cancellation waiting on the delivery (requested while a call was on the wire, none accepted) and cancelled it.
   * `cancellationRequested`: a `sent` delivery whose order was cancelled while it was being sent.
   */
  | { kind: 'done'; status: DeliveryStatus; cancelledNow?: true; cancellationRequested?: true }
  /** Another sender holds it right now. */
  | { kind: 'busy' };

/** What recording an outcome found on the record. */
export interface RecordedOutcome {
  /** The order was cancelled while this delivery was being sent (`cancelRequestedAt`): the sender completes it. */
  cancellationRequested: boolean;
}

export type DeliveryUpdate = (
  /** `vendorStatus` is absent when the vendor books a call it never answered (QUALITYCLICK on a read timeout). */
  | { status: 'sent'; vendorStatus?: number; at: Date; cancelWith?: CancelWith }
  | { status: 'retrying' | 'dead-lettered' | 'failed'; error: string; vendorStatus?: number; completedRequests: string[]; at: Date }
) & {
  /** The record's attempt history including this attempt (at most MAX_HISTORY), written in the same update. */
  history?: AttemptRecord[];
};

/**
 * The delivery records of an order (`ORDER#<orderId>`, `sk = DELIVERY#<destination>`), as the senders, the redrive
 * and the cancellation write them, and the unsettled-deliveries index over them (unsettled.ts).
 */
export class DeliveryStore extends SingleTable {
  /**
   * Sender: takes a delivery for one vendor call, creating its record on the first claim. Succeeds only while the
   * delivery is still owed (new, queued, retrying, or dead-lettered and redriven), no other sender holds an
   * unexpired lease on it, and its order's cancellation is not waiting on it – unless the vendor accepted some of
   * its calls already, when the delivery is finished (docs/EXCLUSIVE-AND-CANCELLATIONS.md, "Partial deliveries").
   * Counts the attempt in the same write. A delivery whose cancellation waits on it with no call accepted is
   * cancelled instead (`done`, `cancelledNow`).
   */
  async claimDelivery(orderId: string, destination: string, now: Date, leaseSeconds: number, expiresAt: number): Promise<DeliveryClaim> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression:
            'SET leaseUntil = :lease, attempts = if_not_exists(attempts, :zero) + :one, updatedAt = :at, destination = :destination, ' +
            '#status = if_not_exists(#status, :queued), #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression:
            '(attribute_not_exists(#status) OR #status IN (:queued, :retrying, :dead)) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now) ' +
            `AND (attribute_not_exists(cancelRequestedAt) OR ${HAS_ACCEPTED_CALLS})`,
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':lease': now.getTime() + leaseSeconds * 1000,
            ':now': now.getTime(),
            ':zero': 0,
            ':one': 1,
            ':at': now.toISOString(),
            ':destination': destination,
            ':ttl': expiresAt,
            ':queued': 'queued',
            ':retrying': 'retrying',
            ':dead': 'dead-lettered',
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const item = result.Attributes ?? {};
      return {
        kind: 'claimed',
        attempts: Number(item.attempts ?? 1),
        completedRequests: toStringArray(item.completedRequests),
        leaseUntil: Number(item.leaseUntil),
        ...(Array.isArray(item.history) && item.history.length ? { history: item.history as AttemptRecord[] } : {}),
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = readOld(error.Item);
      const status = old.status;
      if (status === undefined || status === 'queued' || status === 'retrying' || status === 'dead-lettered') {
        if (old.leaseUntil !== undefined && old.leaseUntil >= now.getTime()) return { kind: 'busy' };
        if (!old.cancelRequested) return { kind: 'busy' };
        // The order was cancelled while a call of this delivery was on the wire, and none was accepted: cancelled now.
        const cancelled = await this.cancelDelivery(orderId, destination, now, expiresAt);
        if (cancelled.kind === 'cancelled') return { kind: 'done', status: 'cancelled', cancelledNow: true };
        if (cancelled.kind === 'settled') return { kind: 'done', status: cancelled.status };
        return { kind: 'busy' };
      }
      return { kind: 'done', status, ...(status === 'sent' && old.cancelRequested ? { cancellationRequested: true as const } : {}) };
    }
  }

  /**
   * Sender: records the outcome of a claimed delivery and releases the lease. Never downgrades a `sent`. Says whether
   * the order's cancellation was requested while the delivery was being sent, which a `sent` outcome must complete.
   */
  async recordDelivery(orderId: string, destination: string, update: DeliveryUpdate): Promise<RecordedOutcome> {
    const values: Record<string, unknown> = { ':status': update.status, ':at': update.at.toISOString(), ':sent': 'sent' };
    const sets = ['#status = :status', 'updatedAt = :at'];
    const removes = ['leaseUntil'];
    if (update.history) {
      sets.push('history = :history');
      values[':history'] = update.history;
    }
    if (update.status === 'sent') {
      sets.push('sentAt = :at');
      if (update.vendorStatus !== undefined) {
        sets.push('vendorStatus = :vs');
        values[':vs'] = update.vendorStatus;
      } else {
        // Not the status of an earlier attempt's answer.
        removes.push('vendorStatus');
      }
      if (update.cancelWith) {
        sets.push('cancelWith = :cancelWith');
        values[':cancelWith'] = update.cancelWith;
      }
      removes.push('lastError', 'completedRequests', UNSETTLED_INDEX.partitionKey, UNSETTLED_INDEX.sortKey);
    } else {
      // Listed by GET /v1/deliveries under this status until sent or re-opened (UNSETTLED_INDEX).
      sets.push(`${UNSETTLED_INDEX.partitionKey} = :status`, `${UNSETTLED_INDEX.sortKey} = :at`);
      sets.push('lastError = :error');
      values[':error'] = update.error;
      if (update.vendorStatus !== undefined) {
        sets.push('vendorStatus = :vs');
        values[':vs'] = update.vendorStatus;
      }
      if (update.completedRequests.length) {
        sets.push('completedRequests = :done');
        values[':done'] = update.completedRequests;
      }
    }
    // A refused condition: already sent by a concurrent sender, whose record stands (and whose sender completes a
    // cancellation requested meanwhile).
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #status <> :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
          // Only the marker: whatever it holds, the write costs the same.
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { cancellationRequested: result.Attributes?.cancelRequestedAt !== undefined };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { cancellationRequested: false };
      throw error;
    }
  }

  /**
   * Sender, multi-call deliveries (Raptor's one call per order line): makes the calls already answered durable as
   * they complete, so that a sender stopped mid-order (time running out, a crash) resumes after them. Accepted only
   * while this sender's lease (`leaseUntil` from its claim) still holds; false when another sender has taken over.
   */
  async recordProgress(orderId: string, destination: string, keys: string[], leaseUntil: number): Promise<boolean> {
    return this.updateDelivery(orderId, destination, 'SET completedRequests = list_append(if_not_exists(completedRequests, :none), :keys)', 'leaseUntil = :lease', {
      ':none': [],
      ':keys': keys,
      ':lease': leaseUntil,
    });
  }

  /**
   * Sender: gives a claimed delivery back untouched – status, lastError and progress stay as they are – so that the
   * next receive of its message claims it at once. For a sender that stops before its function's time runs out.
   */
  async releaseDelivery(orderId: string, destination: string, leaseUntil: number): Promise<void> {
    // A refused condition: another sender holds it by now, nothing of ours to release.
    await this.updateDelivery(orderId, destination, 'REMOVE leaseUntil', 'leaseUntil = :lease', { ':lease': leaseUntil });
  }

  /**
   * Redrive: re-opens a `failed` delivery so that the redriven message is delivered again, as `queued`: like every
   * queued delivery it leaves GET /v1/deliveries (UNSETTLED_INDEX) until its new outcome is recorded. Only a `failed`
   * one: a `sent` delivery is never re-opened. Returns whether it was re-opened.
   */
  async reopenFailed(orderId: string, destination: string, now: Date): Promise<boolean> {
    return this.updateDelivery(
      orderId,
      destination,
      `SET #status = :queued, updatedAt = :at REMOVE ${UNSETTLED_INDEX.partitionKey}, ${UNSETTLED_INDEX.sortKey}`,
      '#status = :failed',
      { ':queued': 'queued', ':failed': 'failed', ':at': now.toISOString() },
      { '#status': 'status' },
    );
  }

  /** GET /v1/deliveries: deliveries retrying, failed or dead-lettered, newest first, from the sparse UNSETTLED_INDEX (unsettled.ts). */
  async listUnsettled(query: UnsettledQuery): Promise<UnsettledPage> {
    return listUnsettled(this.db, this.tableName, query);
  }

  /**
   * Cancellation: a delivery not yet sent becomes `cancelled` (creating its record if no sender has claimed it yet),
   * so that every later claim refuses it and its message is dropped. Refused while a sender holds the delivery (a call
   * may be on the wire: `busy`), once the vendor accepted some of its calls (`partial`: it is finished, never called
   * unsent) and once it is settled otherwise (`sent`, `skipped`, already `cancelled`).
   */
  async cancelDelivery(orderId: string, destination: string, now: Date, expiresAt: number): Promise<CancelOutcome> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression:
            'SET #status = :cancelled, updatedAt = :at, destination = :destination, attempts = if_not_exists(attempts, :zero), #ttl = if_not_exists(#ttl, :ttl) ' +
              // Cancelled is settled: no longer listed by GET /v1/deliveries (UNSETTLED_INDEX).
              `REMOVE leaseUntil, ${UNSETTLED_INDEX.partitionKey}, ${UNSETTLED_INDEX.sortKey}`,
          ConditionExpression:
            '(attribute_not_exists(#status) OR #status IN (:queued, :retrying, :dead, :failed)) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now) ' +
            `AND NOT ${HAS_ACCEPTED_CALLS}`,
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':cancelled': 'cancelled',
            ':at': now.toISOString(),
            ':now': now.getTime(),
            ':destination': destination,
            ':zero': 0,
            ':ttl': expiresAt,
            ':queued': 'queued',
            ':retrying': 'retrying',
            ':dead': 'dead-lettered',
            ':failed': 'failed',
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'cancelled' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = readOld(error.Item);
      const status = old.status;
      if (status === 'sent' || status === 'skipped' || status === 'cancelled') return { kind: 'settled', status };
      if (old.acceptedCalls > 0) return { kind: 'partial', acceptedCalls: old.acceptedCalls };
      return { kind: 'busy', leaseUntil: old.leaseUntil ?? now.getTime() };
    }
  }

  /**
   * Cancellation: the order's cancellation is left on a delivery it could not cancel – one a sender holds right now,
   * or one the vendor accepted some calls of – as `cancelRequestedAt`. Its sender completes it: a claim of a delivery
   * with no accepted call cancels it, and recording `sent` queues the cancellation call or records `unsupported`.
   * `unsupported` (a partial delivery to a destination without a cancellation call) records that at once. False when
   * the delivery was settled meanwhile (sent, cancelled): the caller reads it again.
   */
  async requestCancellation(orderId: string, destination: string, now: Date, options: { unsupported: boolean }): Promise<boolean> {
    return this.updateDelivery(
      orderId,
      destination,
      `SET cancelRequestedAt = if_not_exists(cancelRequestedAt, :at)${options.unsupported ? ', cancellation = :unsupported' : ''}`,
      '#status IN (:queued, :retrying, :dead, :failed)',
      {
        ':at': now.toISOString(),
        ':queued': 'queued',
        ':retrying': 'retrying',
        ':dead': 'dead-lettered',
        ':failed': 'failed',
        ...(options.unsupported ? { ':unsupported': 'unsupported' } : {}),
      },
      { '#status': 'status' },
    );
  }

  /** Cancellation: a sent delivery whose destination declares no cancellation call says so on its record. */
  async recordCancellationUnsupported(orderId: string, destination: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
        UpdateExpression: 'SET cancellation = :unsupported',
        ConditionExpression: '#status = :sent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':unsupported': 'unsupported', ':sent': 'sent' },
      }),
    );
  }

  /** A conditional UpdateItem of one delivery record: true once written, false when its condition refused it. */
  private async updateDelivery(
    orderId: string,
    destination: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): Promise<boolean> {
    return conditionHeld(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: deliverySk(destination) },
          UpdateExpression: update,
          ConditionExpression: condition,
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}

/** A condition: the vendor accepted some calls of this (multi-call) delivery already. */
const HAS_ACCEPTED_CALLS = '(attribute_exists(completedRequests) AND size(completedRequests) > :zero)';

/** What a refused conditional write read of the record (ReturnValuesOnConditionCheckFailure, low-level form). */
function readOld(item: Record<string, { S?: string; N?: string; L?: unknown[]; SS?: string[] }> | undefined): {
  status?: DeliveryStatus;
  leaseUntil?: number;
  cancelRequested: boolean;
  acceptedCalls: number;
} {
  return {
    ...(item?.status?.S !== undefined ? { status: item.status.S as DeliveryStatus } : {}),
    ...(item?.leaseUntil?.N !== undefined ? { leaseUntil: Number(item.leaseUntil.N) } : {}),
    cancelRequested: item?.cancelRequestedAt !== undefined,
    acceptedCalls: item?.completedRequests?.L?.length ?? item?.completedRequests?.SS?.length ?? 0,
  };
}

function toStringArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value instanceof Set) return [...value].map(String);
  return [];
}
