import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { bundledEngines, RotorRotation, type RotorRotationProps, type RotorStrategy } from '../../src';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const STRATEGIES: RotorStrategy[] = ['single-user', 'alternating-users'];

interface Built {
  readonly stack: Stack;
  readonly template: Template;
  readonly rotation: RotorRotation;
}

/** A stack with an app secret (and a superuser secret for alternating users) and the rotation. */
function build(
  engine: string,
  strategy: RotorStrategy,
  extra: Partial<RotorRotationProps> & { withVpc?: boolean; withKey?: boolean } = {},
): Built {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: ENV });
  const key = extra.withKey ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined;
  const secret = new secretsmanager.Secret(stack, 'AppSecret', key ? { encryptionKey: key } : {});
  const superuserSecret =
    strategy === 'alternating-users' ? new secretsmanager.Secret(stack, 'SuperuserSecret') : undefined;
  const vpc = extra.withVpc ? new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }) : undefined;
  const rotation = new RotorRotation(stack, 'Rotation', {
    secret,
    engine,
    strategy,
    ...(superuserSecret ? { superuserSecret } : {}),
    ...(vpc ? { vpc } : {}),
    ...extra,
  });
  return { stack, template: Template.fromStack(stack), rotation };
}

/** Every IAM statement of the rotation role's policies. */
function roleStatements(template: Template): Record<string, unknown>[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties
        .PolicyDocument.Statement,
  );
}

const engines = bundledEngines();

test('the package holds a zip for each engine Rotor builds', () => {
  expect(engines).toEqual(expect.arrayContaining(['mysql', 'postgres']));
});

describe.each(engines)('engine %s', (engine) => {
  describe.each(STRATEGIES)('%s', (strategy) => {
    const { template } = build(engine, strategy);

    test('a nodejs22.x function from the zip with the strategy handler, its own log group and role', () => {
      template.resourceCountIs('AWS::Lambda::Function', 1);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: `${strategy}.handler`,
        Runtime: 'nodejs22.x',
        Timeout: 60,
        MemorySize: 256,
        Architectures: ['arm64'],
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('RotationLogGroup') } },
        Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationRole'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    test('the role holds no managed policy and only the rotation statements', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [{ Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }],
        },
        ManagedPolicyArns: Match.absent(),
      });
      const statements = roleStatements(template);
      const sids = statements.map((s) => s.Sid).sort();
      expect(sids).toEqual(
        strategy === 'alternating-users'
          ? ['ReadTheSuperuserSecret', 'RotateTheSecret', 'WriteLogs']
          : ['RotateTheSecret', 'WriteLogs'],
      );
      expect(statements.find((s) => s.Sid === 'RotateTheSecret')).toMatchObject({
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Resource: { Ref: expect.stringMatching(/^AppSecret/) },
      });
      // No wildcard resource without a VPC; no GetRandomPassword (Rotor generates passwords itself).
      for (const s of statements) {
        expect(JSON.stringify(s.Resource)).not.toBe('"*"');
        expect(JSON.stringify(s.Action)).not.toContain('GetRandomPassword');
      }
    });

    test('Secrets Manager may invoke it only for this secret, from this account', () => {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'secretsmanager.amazonaws.com',
        SourceAccount: ENV.account,
        SourceArn: { Ref: Match.stringLikeRegexp('AppSecret') },
      });
    });

    test('the schedule rotates every 30 days by default, after the permission exists', () => {
      const schedules = template.findResources('AWS::SecretsManager::RotationSchedule');
      const [schedule] = Object.values(schedules) as {
        Properties: Record<string, unknown>;
        DependsOn: string[];
      }[];
      expect(schedule?.Properties).toMatchObject({
        SecretId: { Ref: expect.stringMatching(/^AppSecret/) },
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
      });
      expect(schedule?.DependsOn.some((d) => d.includes('SecretsManagerInvoke'))).toBe(true);
    });

    test('cdk-nag AWS Solutions rules: no finding left, and each acknowledged one has a reason', () => {
      const { stack, rotation } = build(engine, strategy, { withVpc: true, withKey: true });
      // The test's own scaffolding (VPC, secrets without a rotation of their own) is not the construct's.
      Validations.of(stack).acknowledge(
        { id: 'AwsSolutions-VPC7', reason: 'test VPC, not part of the construct' },
        { id: 'AwsSolutions-SMG4', reason: 'the superuser secret is rotated by its owner' },
      );
      const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
      const findings = report.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.resourceLogicalId}`),
      );
      expect(findings).toEqual([]);
      const acknowledged = rotation.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
        .flatMap((m) => Object.values(m.data as Record<string, string>));
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const reason of acknowledged) expect(reason.length).toBeGreaterThan(40);
    });
  });
});

describe('options', () => {
  const engine = engines[0] ?? 'postgres';

  test('in a VPC: private subnets, a security group, and the network-interface actions (their only wildcard)', () => {
    const { template } = build(engine, 'single-user', { withVpc: true });
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
    });
    const wildcard = roleStatements(template).filter((s) => JSON.stringify(s.Resource) === '"*"');
    expect(wildcard).toHaveLength(1);
    expect(wildcard[0]).toMatchObject({
      Sid: 'LambdaNetworkInterfaces',
      Action: expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']),
    });
  });

  test('a customer managed key is used only through Secrets Manager', () => {
    const { template } = build(engine, 'single-user', { withKey: true });
    expect(roleStatements(template).find((s) => s.Sid === 'UseTheSecretKey')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    });
  });

  test('a secret imported by name is matched with its six-character suffix', () => {
    const app = new App();
    const stack = new Stack(app, 'Imported', { env: ENV });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'ByName', 'prod/app');
    new RotorRotation(stack, 'Rotation', { secret, engine });
    const statement = roleStatements(Template.fromStack(stack)).find((s) => s.Sid === 'RotateTheSecret');
    expect(JSON.stringify(statement?.Resource)).toContain('prod/app-??????');
  });

  test.each([
    [{ automaticallyAfter: Duration.days(7) }, { ScheduleExpression: 'rate(7 days)' }],
    [{ automaticallyAfter: Duration.hours(12) }, { ScheduleExpression: 'rate(12 hours)' }],
    [
      { schedule: events.Schedule.cron({ minute: '0', hour: '3', weekDay: 'SUN' }) },
      { ScheduleExpression: 'cron(0 3 ? * SUN *)' },
    ],
    [
      { automaticallyAfter: Duration.days(1), window: Duration.hours(2) },
      { ScheduleExpression: 'rate(1 day)', Duration: '2h' },
    ],
  ] as [Partial<RotorRotationProps>, Record<string, string>][])('schedule %#', (props, rules) => {
    const { template } = build(engine, 'single-user', props);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: rules });
  });

  test('Duration.days(0) sets no rule; rotateImmediatelyOnUpdate=false is passed on', () => {
    const { template } = build(engine, 'single-user', {
      automaticallyAfter: Duration.days(0),
      rotateImmediatelyOnUpdate: false,
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: Match.absent(),
      RotateImmediatelyOnUpdate: false,
    });
  });

  test('environment, endpoint, timeout, memory and architecture are the caller’s', () => {
    const { template } = build(engine, 'single-user', {
      secretsManagerEndpoint: 'https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com',
      environment: { PASSWORD_LENGTH: '40', ROTOR_TLS_FALLBACK: 'deny' },
      timeout: Duration.seconds(120),
      memorySize: 512,
      architecture: lambda.Architecture.X86_64,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          SECRETS_MANAGER_ENDPOINT: 'https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com',
          PASSWORD_LENGTH: '40',
          ROTOR_TLS_FALLBACK: 'deny',
        },
      },
      Timeout: 120,
      MemorySize: 512,
      Architectures: ['x86_64'],
    });
  });

  test('the zip can come from a path the caller gives', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rotor-cdk-'));
    try {
      const zip = join(dir, 'my-rotor-build.zip');
      writeFileSync(zip, Buffer.from('504b0506000000000000000000000000000000000000', 'hex'));
      const codeOf = (t: Template) =>
        JSON.stringify(
          (Object.values(t.findResources('AWS::Lambda::Function'))[0] as { Properties: { Code: unknown } })
            .Properties.Code,
        );
      const fromPackage = build(engine, 'single-user').template;
      const fromPath = build(engine, 'single-user', { code: lambda.Code.fromAsset(zip) }).template;
      expect(codeOf(fromPath)).not.toEqual(codeOf(fromPackage));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [{ strategy: 'alternating-users' as const }, /alternating-users needs superuserSecret/],
    [{ engine: 'oracle' }, /unknown engine "oracle"; built in: .*postgres/],
    [{ automaticallyAfter: Duration.hours(1) }, /between 4 hours and 1000 days/],
    [{ automaticallyAfter: Duration.days(1), schedule: events.Schedule.rate(Duration.days(1)) }, /not both/],
  ] as [Partial<RotorRotationProps>, RegExp][])('refuses bad props %#', (props, message) => {
    const app = new App();
    const stack = new Stack(app, 'Bad', { env: ENV });
    const secret = new secretsmanager.Secret(stack, 'S');
    expect(() => new RotorRotation(stack, 'R', { secret, engine, ...props })).toThrow(message);
  });
});
