import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  AwsControlPlane,
  CONTROL_PLANE_ENDPOINT_VARIABLES,
  ControlPlaneError,
  type DatabaseEngine,
  type DatabaseSecret,
  Deadline,
  type EngineEnvironment,
  resolveSuperuserTarget,
  SuperuserResolutionError,
  sameHost,
  UnsafeRotationError,
} from '@rotor/rotation-core';
import { type DoctorCheck, failed, passed } from '../doctor-check';

const NAME = 'superuser-secret';

/**
 * The superuser-secret check's resolution, exactly as the function does it: a complete secret as
 * it is; a `{username, password}` secret from its tag through the service's API; a rotated host
 * that differs must be a read replica. The detail says which way was taken and what was found.
 */
export async function superuserResolutionCheck(input: {
  readonly arn: string;
  readonly superuser: DatabaseSecret;
  readonly current: DatabaseSecret;
  readonly engine: DatabaseEngine;
  readonly client: SecretsManagerClient;
  readonly env: EngineEnvironment;
  readonly timeoutMs: number;
}): Promise<{ check: DoctorCheck; secret?: DatabaseSecret }> {
  const { arn, superuser, current, env } = input;
  const deadline = Deadline.after(Math.max(input.timeoutMs, 5000) * 3);
  try {
    const target = await resolveSuperuserTarget({
      superuserArn: arn,
      superuser,
      user: current,
      engine: input.engine,
      tags: async () => {
        const out = await input.client.send(new DescribeSecretCommand({ SecretId: arn }));
        return (out.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
      },
      controlPlane: (region) =>
        new AwsControlPlane(region ?? env.AWS_REGION ?? arn.split(':')[3] ?? 'us-east-1', env, deadline, {}),
      errorContext: {},
      anyHostMayBeRds: Boolean(env[CONTROL_PLANE_ENDPOINT_VARIABLES.rds]),
    });
    const who = `superuser ${JSON.stringify(target.superuser.username)} from ${arn}`;
    const where = `${target.superuser.host}:${target.superuser.port}`;
    const how =
      target.resolution === 'complete-secret'
        ? `the secret holds host and port (${where})`
        : `resolved from tag ${target.tag?.key}=${target.tag?.value} (${target.resolution}): ${target.found} at ${where}`;
    const replica = target.replica
      ? `; the rotated secret's host ${current.host} is ${target.replica}, so users change on ${where} and testSecret waits for them on the replica`
      : target.resolution === 'complete-secret'
        ? ', the same host as the rotated secret'
        : '';
    return { secret: target.superuser, check: passed(NAME, `${who}: ${how}${replica}`) };
  } catch (error) {
    if (error instanceof UnsafeRotationError) {
      return {
        check: failed(
          NAME,
          superuser.host === ''
            ? error.detail
            : sameHost(superuser.host, current.host)
              ? `the superuser secret is for port ${superuser.port} of host ${superuser.host}, the rotated secret for port ${current.port}: another database on the same host`
              : `the superuser secret is for host ${superuser.host}, the rotated secret for ${current.host}`,
          `point "masterarn" at the superuser secret of the same database (or of the primary of the rotated secret's read replica); the function refuses a superuser of another host (${error.detail})`,
        ),
      };
    }
    if (error instanceof SuperuserResolutionError) {
      return { check: failed(NAME, error.detail, fixFor(error)) };
    }
    if (error instanceof ControlPlaneError) {
      return {
        check: failed(
          NAME,
          error.detail,
          `the function's role needs the Describe/List permissions of the database's service (deploy the template with ManagedSuperuserSecret set), and the network a route to its API (or ${CONTROL_PLANE_ENDPOINT_VARIABLES.rds} for a local one)`,
        ),
      };
    }
    const e = error as Error;
    return { check: failed(NAME, `${e.name}: ${e.message}`, 'check the AWS credentials and the network') };
  }
}

function fixFor(error: SuperuserResolutionError): string {
  switch (error.problem) {
    case 'missing-tag':
      return 'add "host" and "port" to the superuser secret, or point "masterarn" at the secret RDS manages for the database (rds!db-… or rds!cluster-…)';
    case 'unsupported-tag':
      return `the secret belongs to a database this engine does not rotate; point "masterarn" at the superuser secret of the rotated database`;
    case 'arn-too-long':
      return `the tag ${error.tag} must hold the database's ARN`;
    case 'not-found':
      return `the database named by tag ${error.tag} does not exist in that account and region (deleted?), or the credentials cannot see it`;
    case 'no-endpoint':
      return 'wait until the database is available';
    case 'wrong-engine':
      return "use the rotation function of the database's engine";
  }
}
