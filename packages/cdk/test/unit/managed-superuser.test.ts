import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  type ManagedSuperuserService,
  managedSuperuserServices,
  RotorRotation,
  type RotorRotationProps,
} from '../../src';

const ENV = { account: '123456789012', region: 'eu-west-1' };
// The ARN after its partition: `:rds:eu-west-1:123456789012:db:*`.
const ARN = (service: string, resource: string) => `:${service}:eu-west-1:123456789012:${resource}:*`;

function build(engine: string, extra: Partial<RotorRotationProps>) {
  const app = new App();
  const stack = new Stack(app, 'Managed', { env: ENV });
  const secret = new secretsmanager.Secret(stack, 'AppSecret');
  const superuserSecret = new secretsmanager.Secret(stack, 'SuperuserSecret');
  new RotorRotation(stack, 'Rotation', {
    secret,
    engine,
    strategy: 'alternating-users',
    superuserSecret,
    ...extra,
  });
  return { stack, template: Template.fromStack(stack) };
}

/** The managed-superuser statement of the role's policy (ARNs as CloudFormation joins them). */
function managedStatement(template: Template): { Action: unknown; Resource: unknown } | undefined {
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties
        .PolicyDocument.Statement,
  );
  return statements.find((s) => s.Sid === 'FindTheDatabaseOfAManagedSuperuserSecret') as
    | { Action: unknown; Resource: unknown }
    | undefined;
}

const CASES: [string, ManagedSuperuserService, string[], string[]][] = [
  [
    'postgres',
    'rds',
    ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'],
    [ARN('rds', 'db'), ARN('rds', 'cluster')],
  ],
  [
    'mysql',
    'rds',
    ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'],
    [ARN('rds', 'db'), ARN('rds', 'cluster')],
  ],
  [
    'documentdb',
    'rds',
    ['rds:DescribeDBInstances', 'rds:DescribeDBClusters'],
    [ARN('rds', 'db'), ARN('rds', 'cluster')],
  ],
  ['sqlserver', 'rds', ['rds:DescribeDBInstances'], [ARN('rds', 'db')]],
  ['redshift', 'redshift', ['redshift:DescribeClusters'], [ARN('redshift', 'cluster')]],
  [
    'redshift',
    'redshift-serverless',
    ['redshift-serverless:ListNamespaces', 'redshift-serverless:ListWorkgroups'],
    ['*'],
  ],
];

describe('managedSuperuserSecret', () => {
  test.each(CASES)(
    '%s with %s: only the calls that find its database',
    (engine, service, actions, resources) => {
      const { template } = build(engine, { managedSuperuserSecret: service });
      const statement = managedStatement(template);
      expect([statement?.Action].flat()).toEqual(actions);
      const rendered = JSON.stringify([statement?.Resource].flat());
      for (const r of resources) expect(rendered).toContain(r === '*' ? '"*"' : r);
      expect([statement?.Resource].flat()).toHaveLength(resources.length);
    },
  );

  test('without it, no Describe or List call at all', () => {
    const { template } = build('postgres', {});
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/rds:|redshift:|redshift-serverless:/);
  });

  test.each(CASES)('%s with %s: cdk-nag AWS Solutions rules leave no finding', (engine, service) => {
    const { stack } = build(engine, { managedSuperuserSecret: service });
    Validations.of(stack).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'test secrets, rotated by their owners',
    });
    const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map(
        (r) => `${v.ruleName} at ${r.resourceLogicalId} ${JSON.stringify(r.locations)}`,
      ),
    );
    expect(findings).toEqual([]);
  });

  test.each([
    ['sqlserver', 'redshift', /does not apply to engine sqlserver; it takes rds/],
    ['redshift', 'rds', /does not apply to engine redshift; it takes redshift or redshift-serverless/],
  ] as [string, ManagedSuperuserService, RegExp][])('%s refuses %s', (engine, service, message) => {
    expect(() => build(engine, { managedSuperuserSecret: service })).toThrow(message);
  });

  test('single-user refuses it', () => {
    const app = new App();
    const stack = new Stack(app, 'Single', { env: ENV });
    const secret = new secretsmanager.Secret(stack, 'S');
    expect(
      () => new RotorRotation(stack, 'R', { secret, engine: 'postgres', managedSuperuserSecret: 'rds' }),
    ).toThrow(/only used with strategy alternating-users/);
  });

  test('the services per engine', () => {
    expect(managedSuperuserServices('redshift')).toEqual(['redshift', 'redshift-serverless']);
    expect(managedSuperuserServices('sqlserver')).toEqual(['rds']);
    expect(managedSuperuserServices('oracle')).toEqual([]);
  });
});
