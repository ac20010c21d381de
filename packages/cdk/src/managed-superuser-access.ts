import { ArnFormat, type Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The service that manages the superuser secret (only `{username, password}`, tagged with its
 * database), or whose read replica hosts the rotated secret: the function then asks that service's
 * API where the database is. The same values as the templates' ManagedSuperuserSecret parameter.
 */
export type ManagedSuperuserService = 'rds' | 'redshift' | 'redshift-serverless';

interface Access {
  readonly actions: readonly string[];
  /** Resource patterns in the account and region (`db:*`), or `*` where the API allows no scoping. */
  readonly resources: readonly { service: string; resource: string }[] | '*';
}

const RDS_INSTANCES: Access = {
  actions: ['rds:DescribeDBInstances'],
  resources: [{ service: 'rds', resource: 'db' }],
};
// Clusters (Aurora, DocumentDB) also read their member instances, to match a reader's endpoint.
const RDS_CLUSTERS: Access = {
  actions: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'],
  resources: [
    { service: 'rds', resource: 'db' },
    { service: 'rds', resource: 'cluster' },
  ],
};

/** What each engine's function may call, per service it resolves (the engines' declared resolutions). */
const ACCESS: Readonly<Record<string, Partial<Record<ManagedSuperuserService, Access>>>> = {
  postgres: { rds: RDS_CLUSTERS },
  mysql: { rds: RDS_CLUSTERS },
  documentdb: { rds: RDS_CLUSTERS },
  // RDS for SQL Server has no clusters.
  sqlserver: { rds: RDS_INSTANCES },
  redshift: {
    redshift: {
      actions: ['redshift:DescribeClusters'],
      resources: [{ service: 'redshift', resource: 'cluster' }],
    },
    'redshift-serverless': {
      actions: ['redshift-serverless:ListNamespaces', 'redshift-serverless:ListWorkgroups'],
      resources: '*',
    },
  },
};

/** The services an engine's managed superuser secrets may come from (empty for an unknown engine). */
export function managedSuperuserServices(engine: string): ManagedSuperuserService[] {
  return Object.keys(ACCESS[engine] ?? {}) as ManagedSuperuserService[];
}

/** The statement letting the function find the database of a managed superuser secret. */
export function managedSuperuserStatement(
  stack: Stack,
  engine: string,
  service: ManagedSuperuserService,
): iam.PolicyStatement {
  const access = ACCESS[engine]?.[service];
  if (!access) {
    const known = managedSuperuserServices(engine);
    throw new Error(
      `RotorRotation: managedSuperuserSecret ${service} does not apply to engine ${engine}; ${known.length ? `it takes ${known.join(' or ')}` : 'it takes none'}`,
    );
  }
  return new iam.PolicyStatement({
    sid: 'FindTheDatabaseOfAManagedSuperuserSecret',
    actions: [...access.actions],
    resources:
      access.resources === '*'
        ? ['*']
        : access.resources.map((r) =>
            stack.formatArn({
              service: r.service,
              resource: r.resource,
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
  });
}

/**
 * The resources of that statement as the AWS Solutions rules name them in their IAM5 findings
 * (`Resource::arn:<AWS::Partition>:rds:eu-west-1:123456789012:db:*`, `Resource::*`).
 */
export function managedSuperuserFindingResources(
  stack: Stack,
  engine: string,
  service: ManagedSuperuserService,
): string[] {
  const access = ACCESS[engine]?.[service];
  if (!access) return [];
  if (access.resources === '*') return ['Resource::*'];
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return access.resources.map(
    (r) => `Resource::arn:<AWS::Partition>:${r.service}:${region}:${account}:${r.resource}:*`,
  );
}
