import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, BatchWriteCommandInput, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

/** An item as the document client returns it. */
export type Item = Record<string, unknown>;

const BATCH_LIMIT = 25;

/** The single table (docs/DATA-MODEL.md), and the requests every store makes of it the same way. */
export abstract class SingleTable {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  /** Every item of one partition, following pages. */
  protected queryPartition(pk: string, consistent = false): Promise<Item[]> {
    return everyPage((startKey) =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: startKey,
          ...(consistent ? { ConsistentRead: true } : {}),
        }),
      ),
    );
  }

  /**
   * The pages of one partition, the first always and each further one only while `proceed()` holds (a time budget):
   * the items read, and whether that was every page. `pageSize`: items per page (Limit), for tests.
   */
  protected async queryPartitionWhile(
    pk: string,
    proceed: () => boolean,
    options: { consistent?: boolean; pageSize?: number } = {},
  ): Promise<{ items: Item[]; complete: boolean }> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    let pages = 0;
    do {
      if (pages++ && !proceed()) return { items, complete: false };
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: startKey,
          ...(options.consistent ? { ConsistentRead: true } : {}),
          ...(options.pageSize ? { Limit: options.pageSize } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { items, complete: true };
  }

  /** BatchWriteItem in chunks of 25, retrying unprocessed items with a short backoff. */
  protected async batchWrite(requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_LIMIT) {
      let pending = requests.slice(i, i + BATCH_LIMIT);
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt === 5) throw new Error(`DynamoDB left ${pending.length} writes unprocessed after ${attempt} attempts`);
        if (attempt) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = result.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }
}

/** A conditional write: true once written, false when its condition refused it (not an error); any other failure throws. */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The items of every page of a Query or Scan, read one page after another from the first. */
export async function everyPage(read: (startKey: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await read(startKey);
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
