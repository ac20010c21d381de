import { rotationTemplate } from '../../src/deploy/template';
import { ENGINES } from '../../src/engines/engines';

type Obj = Record<string, unknown>;

// CloudFormation's own placeholders, as template.ts writes them.
const v = (name: string) => `$\{${name}}`;
const ACCOUNT_RDS = `arn:${v('AWS::Partition')}:rds:${v('AWS::Region')}:${v('AWS::AccountId')}`;

test.each(
  ENGINES.filter(
    (m) =>
      (m.engine.managedSecretResolutions ?? []).every((r) => r.startsWith('rds-')) &&
      (m.engine.managedSecretResolutions ?? []).length > 0,
  ).map((m) => [m.name, m] as const),
)(
  '%s: rds:Describe* only when ManagedSuperuserSecret is rds, scoped to the account and region',
  (_engine, settings) => {
    const template = rotationTemplate(settings) as Obj;
    const parameters = template.Parameters as Obj;
    expect(parameters.ManagedSuperuserSecret).toMatchObject({
      Default: 'none',
      AllowedValues: ['none', 'rds'],
    });
    expect((template.Conditions as Obj).SuperuserManagedByRds).toEqual({
      'Fn::Equals': [{ Ref: 'ManagedSuperuserSecret' }, 'rds'],
    });
    const clusters = (settings.engine.managedSecretResolutions ?? []).includes('rds-cluster');
    const text = JSON.stringify(template);
    // Every rds: action sits inside the conditional statement, nowhere else; an instance-only
    // engine (SQL Server) gets no cluster action.
    expect(text.match(/"rds:Describe/g)).toHaveLength(clusters ? 2 : 1);
    const role = (template.Resources as Obj).RotationFunctionRole as Obj;
    const statements = JSON.stringify((role.Properties as Obj).Policies);
    const conditional = {
      'Fn::If': [
        'SuperuserManagedByRds',
        {
          Sid: 'FindTheDatabaseOfAManagedSuperuserSecret',
          Effect: 'Allow',
          Action: clusters
            ? ['rds:DescribeDBInstances', 'rds:DescribeDBClusters']
            : ['rds:DescribeDBInstances'],
          Resource: [
            { 'Fn::Sub': `${ACCOUNT_RDS}:db:*` },
            ...(clusters ? [{ 'Fn::Sub': `${ACCOUNT_RDS}:cluster:*` }] : []),
          ],
        },
        { Ref: 'AWS::NoValue' },
      ],
    };
    expect(statements).toContain(JSON.stringify(conditional));
  },
);
