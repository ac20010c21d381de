import type { DatabaseEngine } from '../engine';
import {
  DatabaseChangeError,
  LoginFailedError,
  SecretFormatError,
  SecretStateError,
  UnsafeRotationError,
} from '../errors';
import { resolveStepSuperuser } from '../managed-secrets/step-superuser';
import { describeError } from '../redactor';
import {
  alternateUsername,
  type DatabaseSecret,
  parseDatabaseSecret,
  type SecretRules,
  sameHost,
} from '../secret-value';
import {
  pendingAlreadyApplied,
  type RotationStrategy,
  readCurrent,
  type StepContext,
} from './rotation-strategy';

const CLONE_SUFFIX = '_clone';

/**
 * Two users take turns: each rotation sets the password of the one not in AWSCURRENT, so the
 * credentials applications hold keep working until the next rotation. A superuser (the secret
 * named by `masterarn`) creates `<user>_clone` and keeps its privileges equal to the original's.
 */
export class AlternatingUsersStrategy implements RotationStrategy {
  readonly name = 'alternating-users' as const;

  secretRules(engine: DatabaseEngine): SecretRules {
    return {
      engineNames: engine.engineNames,
      defaultPort: engine.defaultPort,
      requireEngine: false,
      requireMasterArn: true,
    };
  }

  pendingUsername(current: DatabaseSecret, ctx: StepContext): string {
    const next = alternateUsername(current.username);
    const limit = ctx.config.maxUsernameLength;
    const unit = ctx.engine.usernameLengthUnit ?? 'characters';
    const length = unit === 'bytes' ? Buffer.byteLength(next, 'utf8') : [...next].length;
    if (length > limit) {
      throw new SecretFormatError(
        `the alternate username ${JSON.stringify(next)} is ${length} ${unit} long; ${ctx.engine.family} allows ${limit}` +
          ` (shorten the username to ${limit - CLONE_SUFFIX.length} ${unit}${ctx.engine.family === 'mysql' ? ' or raise USERNAME_CHARACTER_LIMIT' : ''})`,
        { ...ctx.errorContext, username: current.username },
      );
    }
    return next;
  }

  async setSecret<C>(ctx: StepContext<C>, pending: DatabaseSecret): Promise<void> {
    // Current first: its password is then known to the redactor, and the target is checked
    // before pending credentials are sent anywhere.
    const current = await readCurrent(ctx);
    if (pending.username !== alternateUsername(current.username)) {
      throw new UnsafeRotationError(
        `AWSPENDING is for user ${JSON.stringify(pending.username)} but the alternate of AWSCURRENT user ${JSON.stringify(current.username)} is ${JSON.stringify(alternateUsername(current.username))}`,
        ctx.errorContext,
      );
    }
    if (!sameHost(current.host, pending.host)) {
      throw new UnsafeRotationError(
        `AWSPENDING is for host ${pending.host} but AWSCURRENT is for host ${current.host}`,
        ctx.errorContext,
      );
    }

    if (await pendingAlreadyApplied(ctx, pending)) return;

    // Confused-deputy guard: only rotate credentials that are valid now. No AWSPREVIOUS fallback.
    const currentLogin = await ctx.login.tryLogin(current, 'AWSCURRENT');
    if ('failure' in currentLogin) {
      throw new LoginFailedError(
        `the AWSCURRENT credentials do not log in, so the superuser will not act on them: ${currentLogin.failure.detail}`,
        currentLogin.failure.reason,
        { ...ctx.errorContext, username: current.username },
        { cause: currentLogin.failure },
      );
    }
    await ctx.login.close(currentLogin.connection);

    const superuser = await readSuperuser(ctx, current);
    const superConnection = await ctx.login.login(superuser, 'superuser');
    const original = current.username.endsWith(CLONE_SUFFIX) ? pending.username : current.username;
    try {
      const outcome = await ctx.engine.upsertAlternateUser(
        superConnection,
        {
          username: pending.username,
          newPassword: pending.password,
          originalUsername: original,
          cloneUsername: `${original}${CLONE_SUFFIX}`,
          currentUsername: current.username,
          currentPassword: current.password,
          secret: pending,
        },
        { log: ctx.log, env: ctx.config.env, deadline: ctx.deadline },
      );
      ctx.log.info(outcome.created ? 'alternate user created' : 'password changed', {
        username: pending.username,
        original,
        privilegeChanges: outcome.privilegeChanges,
      });
    } catch (error) {
      if (error instanceof DatabaseChangeError) throw error;
      const e = describeError(error, ctx.redactor);
      throw new DatabaseChangeError(
        `the superuser could not create or update the alternate user: ${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message}`,
        { ...ctx.errorContext, username: pending.username },
        { cause: error },
      );
    } finally {
      await ctx.login.close(superConnection);
    }
  }
}

async function readSuperuser<C>(ctx: StepContext<C>, current: DatabaseSecret): Promise<DatabaseSecret> {
  const arn = current.masterarn as string;
  const what = `superuser secret ${arn} (masterarn)`;
  const value = await ctx.secrets.getValue(arn, { stage: 'AWSCURRENT' });
  if (!value)
    throw new SecretStateError(`${what} was not found or has no AWSCURRENT value`, ctx.errorContext);
  const superuser = parseDatabaseSecret(
    value.secretString,
    {
      engineNames: ctx.engine.engineNames,
      defaultPort: ctx.engine.defaultPort,
      requireEngine: false,
      requireMasterArn: false,
      hostOptional: true,
    },
    what,
    ctx.errorContext,
  );
  ctx.redactor.remember(superuser.password, value.secretString);
  return (await resolveStepSuperuser(ctx, current, superuser, arn)).superuser;
}
