import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { bundledZip } from './bundled-zips';
import {
  type ManagedSuperuserService,
  managedSuperuserFindingResources,
  managedSuperuserStatement,
} from './managed-superuser-access';
import { rotationPolicyStatements } from './rotation-policy';

/** How the secret's credentials change: see the project's guide on choosing a strategy. */
export type RotorStrategy = 'single-user' | 'alternating-users';

export interface RotorRotationProps {
  /** The secret to rotate (the JSON an AWS rotation template would take). */
  readonly secret: secretsmanager.ISecret;
  /** Rotor engine: `postgres`, `mysql`, `sqlserver`, `redshift` or `documentdb` (the zip `rotor-<engine>.zip`). */
  readonly engine: string;
  /** @default 'single-user' */
  readonly strategy?: RotorStrategy;
  /** Alternating users only, and required there: the secret named by `masterarn` in the secret's JSON. */
  readonly superuserSecret?: secretsmanager.ISecret;
  /**
   * Alternating users only: the service that manages the superuser secret (`{username, password}`
   * tagged with its database, as RDS, Aurora, DocumentDB and Redshift create it), or whose read
   * replica hosts the rotated secret. Grants the Describe/List calls that find the database:
   * `rds` (postgres, mysql, sqlserver, documentdb), `redshift` or `redshift-serverless`.
   * @default none: the superuser secret holds host and port
   */
  readonly managedSuperuserSecret?: ManagedSuperuserService;

  /** As `secret.addRotationSchedule`: time between rotations. `Duration.days(0)` sets no rule. @default Duration.days(30) */
  readonly automaticallyAfter?: Duration;
  /** A `rate()` or `cron()` schedule instead of `automaticallyAfter`. */
  readonly schedule?: events.Schedule;
  /** How long each rotation window lasts (RotationRules.Duration). @default the service default */
  readonly window?: Duration;
  /** As `secret.addRotationSchedule`: rotate as soon as the schedule is created or changed. @default true */
  readonly rotateImmediatelyOnUpdate?: boolean;

  /** Put the function in this VPC (when the database has no public endpoint). */
  readonly vpc?: ec2.IVpc;
  /** @default the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default a new security group allowing all outbound traffic */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** A Secrets Manager endpoint, e.g. an interface VPC endpoint's DNS name (SECRETS_MANAGER_ENDPOINT). */
  readonly secretsManagerEndpoint?: string;

  /** The zip to deploy instead of the one built into this package. */
  readonly code?: lambda.Code;
  /** More environment variables (PASSWORD_LENGTH, EXCLUDE_CHARACTERS, ROTOR_TLS_FALLBACK, ...). */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default lambda.Architecture.ARM_64 (the bundle is plain JavaScript) */
  readonly architecture?: lambda.Architecture;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

const ALTERNATING: RotorStrategy = 'alternating-users';

/**
 * A Rotor rotation function for one secret: the function from Rotor's zip for the engine, a role
 * that may touch only this secret (and read the superuser secret), its log group, the permission
 * for Secrets Manager to invoke it (with source account and ARN), and the rotation schedule.
 *
 * ```ts
 * new RotorRotation(this, 'AppUserRotation', {
 *   secret: appSecret,
 *   engine: 'postgres',
 *   automaticallyAfter: Duration.days(30),
 * });
 * ```
 */
export class RotorRotation extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly rotationSchedule: secretsmanager.CfnRotationSchedule;
  /** The security group created for the function: only in a VPC, when no securityGroups were given. */
  readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: RotorRotationProps) {
    super(scope, id);
    const strategy = props.strategy ?? 'single-user';
    validate(props, strategy);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Rotor ${props.engine} rotation function (${strategy})`,
    });
    for (const statement of rotationPolicyStatements({
      secret: props.secret,
      ...(props.superuserSecret ? { superuserSecret: props.superuserSecret } : {}),
      logGroupArn: this.logGroup.logGroupArn,
      region: Stack.of(this).region,
      inVpc: props.vpc !== undefined,
    })) {
      this.role.addToPolicy(statement);
    }
    if (props.managedSuperuserSecret) {
      this.role.addToPolicy(
        managedSuperuserStatement(Stack.of(this), props.engine, props.managedSuperuserSecret),
      );
    }

    let securityGroups = props.securityGroups;
    if (props.vpc && !securityGroups) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: `Rotor ${props.engine} rotation function: reaches the database and Secrets Manager`,
        allowAllOutbound: true,
      });
      securityGroups = [this.securityGroup];
    }

    this.function = new lambda.Function(this, 'Function', {
      description: `Rotor ${props.engine} rotation (${strategy})`,
      code: props.code ?? lambda.Code.fromAsset(bundledZip(props.engine)),
      handler: `${strategy}.handler`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 256,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...(props.secretsManagerEndpoint ? { SECRETS_MANAGER_ENDPOINT: props.secretsManagerEndpoint } : {}),
        ...props.environment,
      },
      ...(props.vpc
        ? {
            vpc: props.vpc,
            vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            ...(securityGroups ? { securityGroups } : {}),
          }
        : {}),
    });
    // The role's own policy already holds the VPC actions (and no managed policy): grants that
    // lambda.Function would add for a VPC are superseded by rotationPolicyStatements.

    const permission = new lambda.CfnPermission(this, 'SecretsManagerInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
      sourceArn: props.secret.secretArn,
    });

    this.rotationSchedule = new secretsmanager.CfnRotationSchedule(this, 'Schedule', {
      secretId: props.secret.secretArn,
      rotationLambdaArn: this.function.functionArn,
      ...rotationRules(props),
      ...(props.rotateImmediatelyOnUpdate === false ? { rotateImmediatelyOnUpdate: false } : {}),
    });
    // The service invokes the function as soon as rotation is turned on.
    this.rotationSchedule.node.addDependency(permission, this.role);

    acknowledgeJustifiedFindings(this, props);
  }
}

function validate(props: RotorRotationProps, strategy: RotorStrategy): void {
  if (strategy !== 'single-user' && strategy !== ALTERNATING) {
    throw new Error(`RotorRotation: strategy must be single-user or alternating-users, not ${strategy}`);
  }
  if (strategy === ALTERNATING && !props.superuserSecret) {
    throw new Error(
      'RotorRotation: alternating-users needs superuserSecret (the secret named by masterarn in the secret JSON)',
    );
  }
  if (strategy !== ALTERNATING && props.superuserSecret) {
    throw new Error('RotorRotation: superuserSecret is only used with strategy alternating-users');
  }
  if (props.managedSuperuserSecret && strategy !== ALTERNATING) {
    throw new Error('RotorRotation: managedSuperuserSecret is only used with strategy alternating-users');
  }
  if (props.automaticallyAfter && props.schedule) {
    throw new Error('RotorRotation: give automaticallyAfter or schedule, not both');
  }
  if ((props.vpcSubnets || props.securityGroups) && !props.vpc) {
    throw new Error('RotorRotation: vpcSubnets and securityGroups need vpc');
  }
}

function rotationRules(props: RotorRotationProps): {
  rotationRules?: secretsmanager.CfnRotationSchedule.RotationRulesProperty;
} {
  const window = props.window ? { duration: `${props.window.toHours()}h` } : {};
  if (props.schedule)
    return { rotationRules: { scheduleExpression: props.schedule.expressionString, ...window } };
  const after = props.automaticallyAfter ?? Duration.days(30);
  if (after.toMilliseconds() === 0) return {};
  // Same rule as CDK's RotationSchedule: whole days as a rate, shorter intervals in hours.
  const hours = after.toHours({ integral: false });
  const expression =
    hours % 24 === 0 ? `rate(${hours / 24} ${hours === 24 ? 'day' : 'days'})` : `rate(${hours} hours)`;
  if (hours < 4 || hours > 1000 * 24) {
    throw new Error('RotorRotation: automaticallyAfter must be between 4 hours and 1000 days');
  }
  return { rotationRules: { scheduleExpression: expression, ...window } };
}

/**
 * Findings of the AWS Solutions rules (cdk-nag) that this construct answers by design, each with
 * its reason, recorded with CDK's own acknowledgement API so that no rule pack is a dependency.
 */
function acknowledgeJustifiedFindings(rotation: RotorRotation, props: RotorRotationProps): void {
  if (props.vpc) {
    Validations.of(rotation.role.node.tryFindChild('DefaultPolicy') ?? rotation.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The EC2 network-interface actions a function in a VPC needs support no resource-level scoping (the same actions as AWSLambdaVPCAccessExecutionRole, without its logs:* on every log group).',
    });
  }
  if (props.managedSuperuserSecret) {
    const stack = Stack.of(rotation);
    Validations.of(rotation.role.node.tryFindChild('DefaultPolicy') ?? rotation.role).acknowledge(
      ...managedSuperuserFindingResources(stack, props.engine, props.managedSuperuserSecret).map(
        (resource) => ({
          id: `AwsSolutions-IAM5[${resource}]`,
          reason:
            'A managed superuser secret names its database only by a tag, and a replica is matched by its endpoint: the read-only Describe/List calls cover the databases of this account and region (Redshift Serverless List calls allow no resource scoping), and only when managedSuperuserSecret is set.',
        }),
      ),
    );
  }
  Validations.of(rotation.function).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      "Rotor's zips are built and tested for the nodejs22.x runtime; moving to a newer runtime is a Rotor release, not a deploy-time choice.",
  });
}
