import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ITable, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE, UNSETTLED_INDEX } from '../../lambdas/contract/shape';

export interface TrackingTableProps {
  /**
   * What happens to the table when it leaves the stack. Orders and delivery records are the merchant's evidence of
   * what was reported to whom, so by default the table outlives the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Use this existing table instead of creating one: a table a destroyed stack of this service retained (it has the
   * keys, TTL and index below). The stack references it by name and never changes or deletes it.
   * @default - a table is created
   */
  readonly existingTableName?: string;
}

/**
 * The service's one table: click records, visitor links, orders and delivery records under generic `pk`/`sk` keys
 * (see `TABLE` in lambdas/contract/shape.ts, shared with the local stack). Every item carries its own expiry in the TTL attribute.
 */
export class TrackingTable extends Construct {
  readonly table: ITable;
  /** Whether `table` is an existing table the stack only references (`existingTableName`). */
  readonly existing: boolean;

  constructor(scope: Construct, id: string, props: TrackingTableProps = {}) {
    super(scope, id);
    this.existing = props.existingTableName !== undefined;
    if (props.existingTableName !== undefined) {
      // grantIndexPermissions: the deliveries function is granted the unsettled index's ARN, which the stack builds
      // from the table's ARN (TrackingFunction.bindTableIndex), so nothing is lost by importing.
      this.table = Table.fromTableAttributes(this, 'Table', { tableName: props.existingTableName, grantIndexPermissions: true });
      return;
    }
    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      // Traffic follows the shop's visitors – bursty and unpredictable – and is small: on-demand needs no tuning.
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Sparse: only deliveries that are not `sent` carry its key attributes (UNSETTLED_INDEX in lambdas/contract/shape.ts).
    table.addGlobalSecondaryIndex({
      indexName: UNSETTLED_INDEX.indexName,
      partitionKey: { name: UNSETTLED_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: UNSETTLED_INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...UNSETTLED_INDEX.nonKeyAttributes],
    });
    this.table = table;
  }
}
