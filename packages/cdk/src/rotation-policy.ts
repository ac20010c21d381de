import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

export interface RotationPolicyOptions {
  readonly secret: secretsmanager.ISecret;
  readonly superuserSecret?: secretsmanager.ISecret;
  readonly logGroupArn: string;
  readonly region: string;
  readonly inVpc: boolean;
}

/**
 * What the rotation function may do, and nothing more (the same scope as Rotor's CloudFormation
 * templates): the four Secrets Manager actions a rotation makes on its own secret, GetSecretValue
 * on the superuser secret, KMS only through Secrets Manager for the secrets' own keys, writing to
 * its own log group, and the network-interface actions Lambda needs inside a VPC.
 */
export function rotationPolicyStatements(options: RotationPolicyOptions): iam.PolicyStatement[] {
  const viaSecretsManager = {
    StringEquals: { 'kms:ViaService': `secretsmanager.${options.region}.amazonaws.com` },
  };
  const statements = [
    new iam.PolicyStatement({
      sid: 'RotateTheSecret',
      actions: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      resources: [fullArn(options.secret)],
    }),
    new iam.PolicyStatement({
      sid: 'WriteLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [options.logGroupArn],
    }),
  ];
  if (options.secret.encryptionKey) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'UseTheSecretKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [options.secret.encryptionKey.keyArn],
        conditions: viaSecretsManager,
      }),
    );
  }
  if (options.superuserSecret) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadTheSuperuserSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [fullArn(options.superuserSecret)],
      }),
    );
    if (options.superuserSecret.encryptionKey) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DecryptTheSuperuserSecret',
          actions: ['kms:Decrypt'],
          resources: [options.superuserSecret.encryptionKey.keyArn],
          conditions: viaSecretsManager,
        }),
      );
    }
  }
  if (options.inVpc) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'LambdaNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
  }
  return statements;
}

/** The full ARN when CDK knows it; for a secret imported by name, its ARN with the six-character suffix. */
function fullArn(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}
