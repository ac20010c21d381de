/**
 * The control-plane permissions a rotation function needs when its superuser secret is one the
 * database service manages (only `{username, password}`, tagged with its database) or when the
 * rotated secret is on a read replica: granted only when the ManagedSuperuserSecret parameter
 * names the service, and scoped to the account's and region's databases (the Describe calls take
 * the database's ARN but also list, to match a replica's endpoint); Redshift Serverless's List
 * calls support no resource scoping. RDS actions follow the engine's resolutions: an instance-only
 * engine (SQL Server) gets no cluster action; a cluster resolution also reads its member instances.
 */
import { controlPlaneServices, type ManagedSecretResolution } from '@rotor/rotation-core';

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

/** What each resolution calls: RDS clusters also read their member instances (readers). */
const RDS_ACCESS: Readonly<
  Record<'rds-instance' | 'rds-cluster', { actions: string[]; resources: string[] }>
> = {
  'rds-instance': { actions: ['rds:DescribeDBInstances'], resources: ['db:*'] },
  'rds-cluster': {
    actions: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'],
    resources: ['db:*', 'cluster:*'],
  },
};

const ACTIONS_SAID: Readonly<Record<Exclude<ManagedSecretService, 'rds'>, string>> = {
  redshift: 'redshift:DescribeClusters',
  'redshift-serverless': 'redshift-serverless:ListNamespaces and ListWorkgroups',
};

function rdsAccess(resolutions: readonly ManagedSecretResolution[]) {
  const actions = new Set<string>();
  const resources = new Set<string>();
  for (const r of resolutions) {
    if (r !== 'rds-instance' && r !== 'rds-cluster') continue;
    for (const a of RDS_ACCESS[r].actions) actions.add(a);
    for (const x of RDS_ACCESS[r].resources) resources.add(x);
  }
  return { actions: [...actions], resources: [...resources] };
}

function statementFor(service: ManagedSecretService, resolutions: readonly ManagedSecretResolution[]) {
  switch (service) {
    case 'rds': {
      // DocumentDB's control plane answers under the same rds: actions.
      const { actions, resources } = rdsAccess(resolutions);
      return {
        Sid: 'FindTheDatabaseOfAManagedSuperuserSecret',
        Effect: 'Allow',
        Action: actions,
        Resource: resources.map((r) => arn('rds', r)),
      } as { [key: string]: Json };
    }
    case 'redshift':
      return {
        Sid: 'FindTheRedshiftClusterOfAManagedSuperuserSecret',
        Effect: 'Allow',
        Action: 'redshift:DescribeClusters',
        Resource: arn('redshift', 'cluster:*'),
      };
    case 'redshift-serverless':
      return {
        Sid: 'FindTheWorkgroupOfAManagedSuperuserSecret',
        Effect: 'Allow',
        Action: ['redshift-serverless:ListNamespaces', 'redshift-serverless:ListWorkgroups'],
        Resource: '*',
      };
  }
}

function actionsSaid(service: ManagedSecretService, resolutions: readonly ManagedSecretResolution[]): string {
  return service === 'rds' ? rdsAccess(resolutions).actions.join(' and ') : ACTIONS_SAID[service];
}

/** The parameter naming the service that manages the superuser secret (only `none` when the engine resolves none). */
export function managedSuperuserParameter(resolutions: readonly ManagedSecretResolution[]): Json {
  const services = controlPlaneServices(resolutions);
  if (services.length === 0)
    return {
      Type: 'String',
      Default: 'none',
      AllowedValues: ['none'],
      Description:
        'This engine resolves no superuser secret that a database service manages: give masterarn a secret with host and port.',
    };
  return {
    Type: 'String',
    Default: 'none',
    AllowedValues: ['none', ...services],
    Description: `alternating-users only: ${services.join(' or ')} when the superuser secret is the one the database service manages ({username, password} only, tagged with its database) or the rotated secret's host is a read replica; the function may then call ${services.map((s) => actionsSaid(s, resolutions)).join(', ')}.`,
  };
}

export function managedSuperuserConditions(
  resolutions: readonly ManagedSecretResolution[],
): Record<string, Json> {
  return Object.fromEntries(
    controlPlaneServices(resolutions).map((s) => [
      CONDITION[s],
      { 'Fn::Equals': [{ Ref: MANAGED_SUPERUSER_PARAMETER }, s] },
    ]),
  );
}

export function managedSuperuserStatements(resolutions: readonly ManagedSecretResolution[]): Json[] {
  return controlPlaneServices(resolutions).map((s) => ({
    'Fn::If': [CONDITION[s], statementFor(s, resolutions), { Ref: 'AWS::NoValue' }],
  }));
}
