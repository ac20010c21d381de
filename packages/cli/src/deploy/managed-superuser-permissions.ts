/**
 * The control-plane permissions a rotation function needs when its superuser secret is one the
 * database service manages (only `{username, password}`, tagged with its database) or when the
 * rotated secret is on a read replica: granted only when the ManagedSuperuserSecret parameter
 * names the service, and scoped to the account's and region's databases (the Describe calls take
 * the database's ARN but also list, to match a replica's endpoint); Redshift Serverless's List
 * calls support no resource scoping.
 */
export type ManagedSecretService = 'rds' | 'redshift' | 'redshift-serverless';

export const MANAGED_SUPERUSER_PARAMETER = 'ManagedSuperuserSecret';

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

const CONDITION: Readonly<Record<ManagedSecretService, string>> = {
  rds: 'SuperuserManagedByRds',
  redshift: 'SuperuserManagedByRedshift',
  'redshift-serverless': 'SuperuserManagedByRedshiftServerless',
};

const arn = (service: string, resource: string): Json => ({
  'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
});

const STATEMENT: Readonly<Record<ManagedSecretService, { [key: string]: Json }>> = {
  // DocumentDB's control plane answers under the same rds: actions.
  rds: {
    Sid: 'FindTheDatabaseOfAManagedSuperuserSecret',
    Effect: 'Allow',
    Action: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'],
    Resource: [arn('rds', 'db:*'), arn('rds', 'cluster:*')],
  },
  redshift: {
    Sid: 'FindTheRedshiftClusterOfAManagedSuperuserSecret',
    Effect: 'Allow',
    Action: 'redshift:DescribeClusters',
    Resource: arn('redshift', 'cluster:*'),
  },
  'redshift-serverless': {
    Sid: 'FindTheWorkgroupOfAManagedSuperuserSecret',
    Effect: 'Allow',
    Action: ['redshift-serverless:ListNamespaces', 'redshift-serverless:ListWorkgroups'],
    Resource: '*',
  },
};

export function managedSuperuserParameter(services: readonly ManagedSecretService[]): Json {
  return {
    Type: 'String',
    Default: 'none',
    AllowedValues: ['none', ...services],
    Description: `alternating-users only: ${services.join(' or ')} when the superuser secret is the one the database service manages ({username, password} only, tagged with its database) or the rotated secret's host is a read replica; the function may then call ${services.map((s) => (s === 'rds' ? 'rds:DescribeDBInstances and rds:DescribeDBClusters' : s === 'redshift' ? 'redshift:DescribeClusters' : 'redshift-serverless:ListNamespaces and ListWorkgroups')).join(', ')}.`,
  };
}

export function managedSuperuserConditions(services: readonly ManagedSecretService[]): Record<string, Json> {
  return Object.fromEntries(
    services.map((s) => [CONDITION[s], { 'Fn::Equals': [{ Ref: MANAGED_SUPERUSER_PARAMETER }, s] }]),
  );
}

export function managedSuperuserStatements(services: readonly ManagedSecretService[]): Json[] {
  return services.map((s) => ({ 'Fn::If': [CONDITION[s], STATEMENT[s], { Ref: 'AWS::NoValue' }] }));
}
