import type { EngineModule } from '@rotor/rotation-core';
import { ENGINES } from '../engines/engines';
import { environmentParameters } from './environment-parameters';
import {
  MANAGED_SUPERUSER_PARAMETER,
  managedSuperuserConditions,
  managedSuperuserParameter,
  managedSuperuserStatements,
} from './managed-superuser-permissions';

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
type Template = { readonly [key: string]: Json };

const ref = (name: string): Json => ({ Ref: name });
const sub = (text: string): Json => ({ 'Fn::Sub': text });
/** `${Name}` for Fn::Sub text, spelled without a JS template placeholder. */
const subVar = (name: string): string => `$\{${name}}`;
const getAtt = (resource: string, attribute: string): Json => ({ 'Fn::GetAtt': [resource, attribute] });
const ifThen = (condition: string, then: Json, otherwise: Json = ref('AWS::NoValue')): Json => ({
  'Fn::If': [condition, then, otherwise],
});
const notBlank = (parameter: string): Json => ({ 'Fn::Not': [{ 'Fn::Equals': [ref(parameter), ''] }] });
const listNotBlank = (parameter: string): Json => ({
  'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', ref(parameter)] }, ''] }],
});

// Full secret ARN including the six-character suffix Secrets Manager appends: IAM statements and
// the invoke permission's SourceArn must match it exactly.
const SECRET_ARN_PATTERN = '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$';

/**
 * The CloudFormation (SAM) template deploying one engine's rotation function: the function from
 * `rotor-<engine>.zip` in S3, its least-privilege role, its log group, the permission for Secrets
 * Manager to invoke it, and optionally the secret's rotation schedule.
 */
export function rotationTemplate(module: EngineModule): Template {
  const settings = {
    engine: module.name,
    title: module.title,
    managedSecretResolutions: module.engine.managedSecretResolutions ?? [],
  };
  const environmentSettings = environmentParameters(module);

  const parameters: Record<string, Json> = {
    CodeBucket: {
      Type: 'String',
      MinLength: 3,
      Description: `S3 bucket holding rotor-${settings.engine}.zip (built by \`rotor package\`).`,
    },
    CodeKey: {
      Type: 'String',
      Default: `rotor-${settings.engine}.zip`,
      Description:
        'S3 key of the zip. Use a new key (e.g. with the version in it) for new code: an unchanged key does not update the function.',
    },
    Strategy: {
      Type: 'String',
      Default: 'single-user',
      AllowedValues: ['single-user', 'alternating-users'],
      Description:
        'single-user: the user changes its own password. alternating-users: a superuser keeps <user> and <user>_clone, changing one each rotation.',
    },
    SecretArn: {
      Type: 'String',
      AllowedPattern: SECRET_ARN_PATTERN,
      ConstraintDescription: 'the full ARN of the secret, including its six-character suffix',
      Description: 'Full ARN of the secret this function rotates.',
    },
    SuperuserSecretArn: {
      Type: 'String',
      Default: '',
      AllowedPattern: `^$|${SECRET_ARN_PATTERN}`,
      Description: "alternating-users only: full ARN of the superuser secret (the secret JSON's masterarn).",
    },
    [MANAGED_SUPERUSER_PARAMETER]: managedSuperuserParameter(settings.managedSecretResolutions),
    KmsKeyArns: {
      Type: 'CommaDelimitedList',
      Default: '',
      Description:
        'ARNs of customer managed KMS keys encrypting the secret and the superuser secret; blank for the aws/secretsmanager key.',
    },
    SubnetIds: {
      Type: 'CommaDelimitedList',
      Default: '',
      Description: 'Subnets for the function when the database is in a VPC; blank for no VPC.',
    },
    SecurityGroupIds: {
      Type: 'CommaDelimitedList',
      Default: '',
      Description: 'Security groups for the function (with SubnetIds).',
    },
    SecretsManagerEndpoint: {
      Type: 'String',
      Default: '',
      Description: 'Secrets Manager endpoint URL (e.g. a VPC endpoint); blank for the regional endpoint.',
    },
    RotationSchedule: {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^(rate|cron)\\(.+\\)$',
      Description:
        'rate(...) or cron(...) expression; when set, rotation is turned on for the secret with this function, and by default the secret rotates at once (see RotateImmediately).',
    },
    RotateImmediately: {
      Type: 'String',
      Default: 'true',
      AllowedValues: ['true', 'false'],
      Description:
        'With RotationSchedule: true (the service default) rotates as soon as the schedule is created or changed, while the stack deploys; false waits for the first scheduled time (RotateImmediatelyOnUpdate).',
    },
    RotationWindow: {
      Type: 'String',
      Default: '',
      AllowedPattern: '^$|^[0-9]+h$',
      Description: 'Rotation window (Duration), e.g. 2h; blank for the service default.',
    },
    TimeoutSeconds: {
      Type: 'Number',
      Default: 60,
      MinValue: 30,
      MaxValue: 900,
      Description: 'Function timeout per step.',
    },
    MemorySize: {
      Type: 'Number',
      Default: 256,
      MinValue: 128,
      MaxValue: 10240,
      Description: 'Function memory (MB).',
    },
    Architecture: {
      Type: 'String',
      Default: 'arm64',
      AllowedValues: ['arm64', 'x86_64'],
      Description: 'The bundle is plain JavaScript; either works.',
    },
    LogRetentionDays: {
      Type: 'Number',
      Default: 90,
      AllowedValues: [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
        3653,
      ],
      Description: 'How long CloudWatch keeps the rotation logs.',
    },
  };
  for (const p of environmentSettings) {
    parameters[p.parameter] = {
      Type: p.type,
      Default: p.type === 'Number' ? Number(p.default) : p.default,
      ...(p.allowedValues ? { AllowedValues: [...p.allowedValues] } : {}),
      ...(p.minValue !== undefined ? { MinValue: p.minValue } : {}),
      ...(p.maxValue !== undefined ? { MaxValue: p.maxValue } : {}),
      Description: `${p.description} (${p.variable})`,
    };
  }

  const variables: Record<string, Json> = {
    SECRETS_MANAGER_ENDPOINT: ifThen('HasSecretsManagerEndpoint', ref('SecretsManagerEndpoint')),
  };
  const optionalConditions: Record<string, Json> = {};
  for (const p of environmentSettings) {
    if (p.optional) {
      optionalConditions[`Has${p.parameter}`] = notBlank(p.parameter);
      variables[p.variable] = ifThen(`Has${p.parameter}`, ref(p.parameter));
    } else variables[p.variable] = ref(p.parameter);
  }

  const secretStatements: Json[] = [
    {
      Sid: 'RotateTheSecret',
      Effect: 'Allow',
      Action: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      Resource: ref('SecretArn'),
    },
    ifThen('HasSuperuserSecret', {
      Sid: 'ReadTheSuperuserSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: ref('SuperuserSecretArn'),
    }),
    ...managedSuperuserStatements(settings.managedSecretResolutions),
    ifThen('HasKmsKeys', {
      Sid: 'DecryptAndEncryptTheSecrets',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: ref('KmsKeyArns'),
      // Only when Secrets Manager uses the key on the function's behalf.
      Condition: {
        StringEquals: { 'kms:ViaService': sub(`secretsmanager.${subVar('AWS::Region')}.amazonaws.com`) },
      },
    }),
  ];

  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Transform: 'AWS::Serverless-2016-10-31',
    Description: `Rotor: AWS Secrets Manager rotation function for ${settings.title}. With RotationSchedule set, the secret rotates as soon as the stack creates the schedule unless RotateImmediately is false. Generated by \`rotor templates\`; do not edit.`,
    Metadata: {
      'AWS::CloudFormation::Interface': {
        ParameterGroups: [
          { Label: { default: 'Function code' }, Parameters: ['CodeBucket', 'CodeKey'] },
          {
            Label: { default: 'Rotation' },
            Parameters: [
              'SecretArn',
              'Strategy',
              'SuperuserSecretArn',
              MANAGED_SUPERUSER_PARAMETER,
              'KmsKeyArns',
              'RotationSchedule',
              'RotateImmediately',
              'RotationWindow',
            ],
          },
          {
            Label: { default: 'Network' },
            Parameters: ['SubnetIds', 'SecurityGroupIds', 'SecretsManagerEndpoint'],
          },
          {
            Label: { default: 'Passwords, TLS and logging' },
            Parameters: environmentSettings.map((p) => p.parameter),
          },
          {
            Label: { default: 'Function settings' },
            Parameters: ['TimeoutSeconds', 'MemorySize', 'Architecture', 'LogRetentionDays'],
          },
        ],
      },
    },
    Parameters: parameters,
    Conditions: {
      HasSuperuserSecret: notBlank('SuperuserSecretArn'),
      HasKmsKeys: listNotBlank('KmsKeyArns'),
      HasVpc: listNotBlank('SubnetIds'),
      HasSecretsManagerEndpoint: notBlank('SecretsManagerEndpoint'),
      HasRotationSchedule: notBlank('RotationSchedule'),
      HasRotationWindow: notBlank('RotationWindow'),
      ...optionalConditions,
      ...managedSuperuserConditions(settings.managedSecretResolutions),
    },
    Rules: {
      // The alternating-users function reads the superuser secret (masterarn): without its ARN the
      // role may not, and every rotation would fail at setSecret, after the stack deployed.
      SuperuserSecretForAlternatingUsers: {
        RuleCondition: { 'Fn::Equals': [ref('Strategy'), 'alternating-users'] },
        Assertions: [
          {
            Assert: notBlank('SuperuserSecretArn'),
            AssertDescription:
              "Strategy alternating-users needs SuperuserSecretArn: the full ARN of the superuser secret (the secret JSON's masterarn).",
          },
        ],
      },
    },
    Resources: {
      RotationLogGroup: {
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: ref('LogRetentionDays') },
      },
      RotationFunctionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: sub(`Rotor ${settings.engine} rotation function of stack ${subVar('AWS::StackName')}`),
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'lambda.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'rotate-secret',
              PolicyDocument: { Version: '2012-10-17', Statement: secretStatements },
            },
            {
              PolicyName: 'write-logs',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                    Resource: getAtt('RotationLogGroup', 'Arn'),
                  },
                ],
              },
            },
            ifThen('HasVpc', {
              PolicyName: 'vpc-network-interfaces',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    // What AWSLambdaVPCAccessExecutionRole grants, minus its logs:* on every log
                    // group. These EC2 actions do not support resource-level scoping.
                    Effect: 'Allow',
                    Action: [
                      'ec2:CreateNetworkInterface',
                      'ec2:DescribeNetworkInterfaces',
                      'ec2:DescribeSubnets',
                      'ec2:DeleteNetworkInterface',
                      'ec2:AssignPrivateIpAddresses',
                      'ec2:UnassignPrivateIpAddresses',
                    ],
                    Resource: '*',
                  },
                ],
              },
            }),
          ],
        },
      },
      RotationFunction: {
        Type: 'AWS::Serverless::Function',
        Properties: {
          Description: sub(
            `Rotor ${settings.engine} rotation (${subVar('Strategy')}) for ${subVar('SecretArn')}`,
          ),
          CodeUri: { Bucket: ref('CodeBucket'), Key: ref('CodeKey') },
          Handler: sub(`${subVar('Strategy')}.handler`),
          Runtime: 'nodejs22.x',
          Architectures: [ref('Architecture')],
          Timeout: ref('TimeoutSeconds'),
          MemorySize: ref('MemorySize'),
          Role: getAtt('RotationFunctionRole', 'Arn'),
          LoggingConfig: { LogGroup: ref('RotationLogGroup') },
          Environment: { Variables: variables },
          VpcConfig: ifThen('HasVpc', {
            SubnetIds: ref('SubnetIds'),
            SecurityGroupIds: ref('SecurityGroupIds'),
          }),
        },
      },
      SecretsManagerInvokePermission: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: getAtt('RotationFunction', 'Arn'),
          Principal: 'secretsmanager.amazonaws.com',
          SourceAccount: ref('AWS::AccountId'),
          SourceArn: ref('SecretArn'),
        },
      },
      SecretRotationSchedule: {
        Type: 'AWS::SecretsManager::RotationSchedule',
        Condition: 'HasRotationSchedule',
        // The service test-invokes the function when rotation is turned on.
        DependsOn: ['SecretsManagerInvokePermission'],
        Properties: {
          SecretId: ref('SecretArn'),
          RotationLambdaARN: getAtt('RotationFunction', 'Arn'),
          RotateImmediatelyOnUpdate: ref('RotateImmediately'),
          RotationRules: {
            ScheduleExpression: ref('RotationSchedule'),
            Duration: ifThen('HasRotationWindow', ref('RotationWindow')),
          },
        },
      },
    },
    Outputs: {
      RotationFunctionArn: {
        Description:
          'Pass to `aws secretsmanager rotate-secret --rotation-lambda-arn` if RotationSchedule was left blank.',
        Value: getAtt('RotationFunction', 'Arn'),
      },
      RotationFunctionRoleArn: { Value: getAtt('RotationFunctionRole', 'Arn') },
      Handler: { Value: sub(`${subVar('Strategy')}.handler`) },
    },
  };
}

/** File name under deploy/ → contents, one template per engine. */
export function deployTemplateFiles(engines: readonly EngineModule[] = ENGINES): Map<string, string> {
  const files = new Map<string, string>();
  for (const module of engines) {
    files.set(`rotor-${module.name}.template.json`, `${JSON.stringify(rotationTemplate(module), null, 2)}\n`);
  }
  return files;
}
