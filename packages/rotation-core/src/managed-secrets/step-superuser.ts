import { superuserSecretRules } from '../rotation-rules';
import type { DatabaseSecret } from '../secret-value';
import { parseDatabaseSecret } from '../secret-value';
import type { StepContext } from '../strategies/rotation-strategy';
import { AwsControlPlane, CONTROL_PLANE_ENDPOINT_VARIABLES } from './aws-control-plane';
import type { ControlPlane } from './control-plane';
import { resolveSuperuserTarget, type SuperuserTarget } from './superuser-resolution';

/**
 * The superuser's connection for a rotation step: see resolveSuperuserTarget. The superuser
 * secret's DescribeSecret (its tags) and the control-plane calls happen only for a secret without
 * a host, or when the rotated secret's host differs from the superuser's.
 */
export async function resolveStepSuperuser<C>(
  ctx: StepContext<C>,
  user: DatabaseSecret,
  superuser: DatabaseSecret,
  superuserArn: string,
): Promise<SuperuserTarget> {
  const target = await resolveSuperuserTarget({
    superuserArn,
    superuser,
    user,
    engine: ctx.engine,
    tags: async () => (await ctx.secrets.describe(superuserArn)).tags,
    controlPlane: (region) => controlPlaneFor(ctx, region ?? regionOf(superuserArn)),
    errorContext: ctx.errorContext,
    anyHostMayBeRds: Boolean(ctx.config.env[CONTROL_PLANE_ENDPOINT_VARIABLES.rds]),
  });
  if (target.resolution !== 'complete-secret' || target.replica) {
    ctx.log.info('superuser resolved', {
      resolution: target.resolution,
      ...(target.tag ? { tag: target.tag.key, database: target.tag.value } : {}),
      ...(target.found ? { found: target.found } : {}),
      host: target.superuser.host,
      port: target.superuser.port,
      ...(target.replica ? { replica: target.replica } : {}),
    });
  }
  return target;
}

/** The superuser secret named by `masterarn`, parsed (host '' when it has none), or undefined. */
export async function readSuperuserSecret<C>(
  ctx: StepContext<C>,
  arn: string,
): Promise<DatabaseSecret | undefined> {
  const value = await ctx.secrets.getValue(arn, { stage: 'AWSCURRENT' });
  if (!value) return undefined;
  const superuser = parseDatabaseSecret(
    value.secretString,
    superuserSecretRules(ctx.engine),
    `superuser secret ${arn} (masterarn)`,
    ctx.errorContext,
  );
  ctx.redactor.remember(superuser.password, value.secretString);
  return superuser;
}

function controlPlaneFor<C>(ctx: StepContext<C>, region: string | undefined): ControlPlane {
  const env = ctx.config.env;
  return new AwsControlPlane(
    region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    env,
    ctx.deadline,
    ctx.errorContext,
  );
}

function regionOf(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}
