import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRotationConfig } from '@rotor/rotation-core';
import { deployTemplateFiles } from '../../src/deploy/template';
import { ENGINES } from '../../src/engines/engines';
import { STRATEGIES } from '../../src/packaging/engine-packages';
import { findRepoRoot } from '../../src/packaging/repo-root';
import { CFN_SPEC, validateTemplate, walkIntrinsics } from '../support/cfn-spec-validator';

type Obj = Record<string, unknown>;
const deployDir = join(findRepoRoot(__dirname), 'deploy');
const generated = deployTemplateFiles();

/** Both outcomes of an Fn::If (minus AWS::NoValue), or the value itself. */
function branches(value: unknown): unknown[] {
  const v = value as Obj;
  if (v && typeof v === 'object' && 'Fn::If' in v) {
    const [, a, b] = v['Fn::If'] as unknown[];
    return [...branches(a), ...branches(b)];
  }
  return (v as Obj)?.Ref === 'AWS::NoValue' ? [] : [value];
}

function statementsOf(role: Obj): Obj[] {
  const policies = ((role.Properties as Obj).Policies as unknown[]).flatMap(branches) as Obj[];
  return policies.flatMap(
    (p) => ((p.PolicyDocument as Obj).Statement as unknown[]).flatMap(branches) as Obj[],
  );
}

// The variables rotation-core reads (packages/rotation-core/src/config.ts and engines).
const KNOWN_VARIABLES = new Set([
  'SECRETS_MANAGER_ENDPOINT',
  'EXCLUDE_CHARACTERS',
  'PASSWORD_LENGTH',
  'EXCLUDE_NUMBERS',
  'EXCLUDE_PUNCTUATION',
  'EXCLUDE_UPPERCASE',
  'EXCLUDE_LOWERCASE',
  'REQUIRE_EACH_INCLUDED_TYPE',
  'USERNAME_CHARACTER_LIMIT',
  'ROTOR_TLS_FALLBACK',
  'ROTOR_CA_BUNDLE',
  'ROTOR_CONNECT_TIMEOUT_MS',
  'ROTOR_LOG_LEVEL',
]);

describe('deploy templates', () => {
  it('are generated for every engine', () => {
    expect([...generated.keys()].sort()).toEqual(ENGINES.map((m) => `rotor-${m.name}.template.json`).sort());
  });

  it('are committed exactly as `rotor templates` writes them', () => {
    for (const [name, text] of generated) {
      const file = join(deployDir, name);
      expect(existsSync(file)).toBe(true);
      // On failure: run `npx --yes pnpm@10.34.8 rotor templates` and commit deploy/. Compared
      // as JSON because the files are formatted by Biome.
      expect(JSON.parse(readFileSync(file, 'utf8'))).toStrictEqual(JSON.parse(text));
    }
    const committed = readdirSync(deployDir).filter((f) => f.endsWith('.template.json'));
    expect(committed.sort()).toEqual([...generated.keys()].sort());
  });

  describe.each([...generated].map(([name, text]) => [name, JSON.parse(text) as Obj] as const))(
    '%s',
    (_name, template) => {
      const resources = template.Resources as Record<string, Obj>;
      const parameters = template.Parameters as Record<string, Obj>;

      it(`is valid against the resource specification (${CFN_SPEC.source})`, () => {
        expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
        expect(validateTemplate(template)).toEqual([]);
      });

      it('has a function on nodejs22.x whose handler names an entry point of the zip', () => {
        const fn = resources.RotationFunction!.Properties as Obj;
        expect(fn.Runtime).toBe('nodejs22.x');
        expect(fn.Handler).toEqual({ 'Fn::Sub': `${'$'}{Strategy}.handler` });
        expect(parameters.Strategy!.AllowedValues).toEqual([...STRATEGIES]);
        expect(Number((parameters.TimeoutSeconds as Obj).MinValue)).toBeGreaterThanOrEqual(30);
        const variables = (fn.Environment as Obj).Variables as Obj;
        for (const name of Object.keys(variables)) expect(KNOWN_VARIABLES.has(name)).toBe(true);
        expect(branches(variables.SECRETS_MANAGER_ENDPOINT)).toEqual([{ Ref: 'SecretsManagerEndpoint' }]);
      });

      it('passes the log level, connection timeout and CA bundle as environment variables; the defaults load', () => {
        const variables = ((resources.RotationFunction!.Properties as Obj).Environment as Obj)
          .Variables as Obj;
        expect(variables.ROTOR_LOG_LEVEL).toEqual({ Ref: 'LogLevel' });
        expect(parameters.LogLevel).toMatchObject({
          Default: 'info',
          AllowedValues: ['debug', 'info', 'warn', 'error'],
        });
        expect(variables.ROTOR_CONNECT_TIMEOUT_MS).toEqual({ Ref: 'ConnectTimeoutMs' });
        expect(parameters.ConnectTimeoutMs).toMatchObject({ Type: 'Number', Default: 5000, MinValue: 100 });
        // A blank CA bundle leaves the variable unset rather than naming no file.
        expect(variables.ROTOR_CA_BUNDLE).toEqual({
          'Fn::If': ['HasCaBundle', { Ref: 'CaBundle' }, { Ref: 'AWS::NoValue' }],
        });
        expect((template.Conditions as Obj).HasCaBundle).toEqual({
          'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CaBundle' }, ''] }],
        });
        expect(parameters.CaBundle).toMatchObject({ Type: 'String', Default: '' });

        // Every variable at its parameter's default is a configuration the function accepts.
        const env: Record<string, string> = {};
        for (const [name, value] of Object.entries(variables)) {
          const [parameter] = branches(value).map((v) => (v as Obj).Ref as string);
          const byDefault = parameter === undefined ? undefined : parameters[parameter]?.Default;
          if (byDefault !== undefined && byDefault !== '') env[name] = String(byDefault);
        }
        const module = ENGINES.find((m) => _name === `rotor-${m.name}.template.json`)!;
        expect(() => loadRotationConfig(module.engine, env)).not.toThrow();
      });

      it('refuses alternating users without SuperuserSecretArn (a Rule, checked before any resource)', () => {
        const rules = template.Rules as Record<string, Obj>;
        expect(Object.keys(rules)).toEqual(['SuperuserSecretForAlternatingUsers']);
        const rule = rules.SuperuserSecretForAlternatingUsers!;
        expect(rule.RuleCondition).toEqual({ 'Fn::Equals': [{ Ref: 'Strategy' }, 'alternating-users'] });
        expect(rule.Assertions).toEqual([
          {
            Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'SuperuserSecretArn' }, ''] }] },
            AssertDescription: expect.stringContaining('alternating-users needs SuperuserSecretArn'),
          },
        ]);
        // Rules may only use these functions, and every Ref must name a parameter.
        walkIntrinsics(rules, 'Rules', (path, fn, arg) => {
          expect([path, fn]).toEqual([
            path,
            expect.stringMatching(
              /^(Ref|Fn::(And|Contains|EachMemberEquals|EachMemberIn|Equals|Not|Or|RefAll|ValueOf|ValueOfAll))$/,
            ),
          ]);
          if (fn === 'Ref') expect(Object.keys(parameters)).toContain(arg);
        });
        expect(parameters.Strategy!.AllowedValues).toContain('alternating-users');
      });

      it('says that creating the schedule rotates at once, and lets RotateImmediatelyOnUpdate be turned off', () => {
        expect(template.Description).toContain(
          'the secret rotates as soon as the stack creates the schedule',
        );
        expect(String(parameters.RotationSchedule!.Description)).toContain('rotates at once');
        expect(parameters.RotateImmediately).toMatchObject({
          Default: 'true',
          AllowedValues: ['true', 'false'],
        });
        expect((resources.SecretRotationSchedule!.Properties as Obj).RotateImmediatelyOnUpdate).toEqual({
          Ref: 'RotateImmediately',
        });
      });

      it('scopes every Secrets Manager and KMS permission to given ARNs', () => {
        const statements = statementsOf(resources.RotationFunctionRole!);
        for (const s of statements) {
          const actions = [s.Action].flat() as string[];
          if (actions.some((a) => a.startsWith('secretsmanager:') || a.startsWith('kms:'))) {
            expect(s.Resource).not.toBe('*');
            expect([s.Resource].flat()).not.toContain('*');
            expect(JSON.stringify(s.Resource)).toMatch(
              /^\{"Ref":"(SecretArn|SuperuserSecretArn|KmsKeyArns)"\}$/,
            );
          }
          for (const a of actions) expect(a).not.toMatch(/\*/);
        }
        const byActions = (r: string) =>
          statements
            .filter((s) => JSON.stringify(s.Resource) === `{"Ref":"${r}"}`)
            .flatMap((s) => [s.Action].flat());
        expect(byActions('SecretArn').sort()).toEqual([
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ]);
        expect(byActions('SuperuserSecretArn')).toEqual(['secretsmanager:GetSecretValue']);
        expect(byActions('KmsKeyArns').sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
        // Wildcard resources only for actions that support no resource-level scoping: the VPC
        // network-interface actions, and Redshift Serverless's List calls (managed superuser
        // secrets only, behind their own condition).
        for (const s of statements.filter((st) => st.Resource === '*')) {
          for (const a of [s.Action].flat() as string[])
            expect(a).toMatch(/^(ec2:|redshift-serverless:List(Namespaces|Workgroups)$)/);
        }
      });

      it('grants optional permissions and network access only when their parameters are set', () => {
        const policies = (resources.RotationFunctionRole!.Properties as Obj).Policies as Obj[];
        const vpcPolicy = policies.find((p) => 'Fn::If' in p) as Obj;
        expect((vpcPolicy['Fn::If'] as unknown[])[0]).toBe('HasVpc');
        expect(((resources.RotationFunction!.Properties as Obj).VpcConfig as Obj)['Fn::If']).toEqual([
          'HasVpc',
          { SubnetIds: { Ref: 'SubnetIds' }, SecurityGroupIds: { Ref: 'SecurityGroupIds' } },
          { Ref: 'AWS::NoValue' },
        ]);
        const conditional = new Map<string, string>();
        walkIntrinsics((resources.RotationFunctionRole!.Properties as Obj).Policies, '', (_p, fn, arg) => {
          if (fn === 'Fn::If') {
            const [cond, then] = arg as [string, Obj];
            conditional.set(cond, JSON.stringify(then));
          }
        });
        expect(conditional.get('HasSuperuserSecret')).toContain('SuperuserSecretArn');
        expect(conditional.get('HasKmsKeys')).toContain('KmsKeyArns');
        const schedule = resources.SecretRotationSchedule!;
        expect(schedule.Condition).toBe('HasRotationSchedule');
        expect((schedule.Properties as Obj).RotationRules).toEqual({
          ScheduleExpression: { Ref: 'RotationSchedule' },
          Duration: { 'Fn::If': ['HasRotationWindow', { Ref: 'RotationWindow' }, { Ref: 'AWS::NoValue' }] },
        });
      });

      it('lets only Secrets Manager, from this account and for this secret, invoke the function', () => {
        const permission = resources.SecretsManagerInvokePermission!;
        expect(permission.Type).toBe('AWS::Lambda::Permission');
        expect(permission.Properties).toEqual({
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': ['RotationFunction', 'Arn'] },
          Principal: 'secretsmanager.amazonaws.com',
          SourceAccount: { Ref: 'AWS::AccountId' },
          SourceArn: { Ref: 'SecretArn' },
        });
      });

      it('accepts only full secret ARNs and schedule expressions', () => {
        const pattern = new RegExp(String(parameters.SecretArn!.AllowedPattern));
        expect(pattern.test('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-AbC123')).toBe(
          true,
        );
        expect(pattern.test('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app')).toBe(false);
        expect(pattern.test('*')).toBe(false);
        const schedule = new RegExp(String(parameters.RotationSchedule!.AllowedPattern));
        for (const ok of ['', 'rate(30 days)', 'cron(0 16 1,15 * ? *)']) expect(schedule.test(ok)).toBe(true);
        expect(schedule.test('every day')).toBe(false);
      });
    },
  );
});

describe('the specification validator', () => {
  it('reports unknown properties, missing required ones, wrong types and dangling references', () => {
    const problems = validateTemplate({
      Parameters: { P: { Type: 'String' } },
      Conditions: {},
      Resources: {
        Perm: {
          Type: 'AWS::Lambda::Permission',
          Properties: {
            Action: 'lambda:InvokeFunction',
            Principal: 42,
            Bogus: 1,
            SourceAccount: { Ref: 'Nope' },
          },
        },
        Sched: {
          Type: 'AWS::SecretsManager::RotationSchedule',
          Condition: 'Missing',
          Properties: {
            SecretId: { 'Fn::GetAtt': ['Perm', 'NoSuchAttribute'] },
            RotationRules: { Bad: 'x' },
          },
        },
        Weird: { Type: 'AWS::Made::Up' },
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'Perm.Properties.Bogus: unknown property',
        'Perm.Properties.FunctionName: required property missing',
        'Perm.Properties.Principal: expected string, got 42',
        'Resources.Perm.Properties.SourceAccount: Ref Nope is not defined',
        'Sched: Condition Missing is not defined',
        'Sched.Properties.RotationRules.Bad: unknown property',
        'Resources.Sched.Properties.SecretId: Fn::GetAtt Perm.NoSuchAttribute does not exist',
        'Weird: resource type AWS::Made::Up is not in the specification fixture',
      ]),
    );
  });
});
