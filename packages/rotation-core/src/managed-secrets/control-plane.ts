/**
 * What superuser resolution reads from the database services' control planes, reduced to the
 * fields it uses. Every list is complete (the implementation follows every page). Identifiers the
 * service does not know give an empty list, not an error.
 */
export interface ControlPlane {
  /** RDS DescribeDBInstances: one instance by identifier or ARN, or every instance. */
  describeDbInstances(identifier?: string): Promise<DbInstanceInfo[]>;
  /** RDS DescribeDBClusters (Aurora and DocumentDB): one cluster by identifier or ARN, or all. */
  describeDbClusters(identifier?: string): Promise<DbClusterInfo[]>;
  /** Redshift DescribeClusters for one cluster identifier. */
  describeRedshiftClusters(identifier: string): Promise<EndpointInfo[]>;
  /** Redshift Serverless ListNamespaces. */
  listNamespaces(): Promise<NamespaceInfo[]>;
  /** Redshift Serverless ListWorkgroups. */
  listWorkgroups(): Promise<WorkgroupInfo[]>;
}

export interface EndpointInfo {
  readonly identifier: string;
  readonly address?: string;
  readonly port?: number;
  readonly engine?: string;
}

export interface DbInstanceInfo extends EndpointInfo {
  readonly arn?: string;
  /** Identifiers (or ARNs, across regions) of this instance's read replicas. */
  readonly readReplicaIdentifiers: readonly string[];
  readonly readReplicaSource?: string;
}

export interface DbClusterInfo extends EndpointInfo {
  readonly arn?: string;
  readonly readerEndpoint?: string;
  readonly members: readonly { readonly instanceIdentifier: string; readonly isWriter: boolean }[];
}

export interface NamespaceInfo {
  readonly name: string;
  readonly arn: string;
}

export interface WorkgroupInfo {
  readonly name: string;
  readonly namespaceName: string;
  readonly address?: string;
  readonly port?: number;
}
