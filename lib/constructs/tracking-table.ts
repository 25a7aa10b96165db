import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE, UNSETTLED_INDEX } from '../../lambdas/contract/shape';

export interface TrackingTableProps {
  /**
   * What happens to the table when it leaves the stack. Orders and delivery records are the merchant's evidence of
   * what was reported to whom, so by default the table outlives the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The service's one table: click records, visitor links, orders and delivery records under generic `pk`/`sk` keys
 * (see `TABLE` in lambdas/contract/shape.ts, shared with the local stack). Every item carries its own expiry in the TTL attribute.
 */
export class TrackingTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: TrackingTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
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
    this.table.addGlobalSecondaryIndex({
      indexName: UNSETTLED_INDEX.indexName,
      partitionKey: { name: UNSETTLED_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: UNSETTLED_INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...UNSETTLED_INDEX.nonKeyAttributes],
    });
  }
}
