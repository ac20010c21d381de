import type { DatabaseEngine } from '../engine';
import {
  DatabaseChangeError,
  LoginFailedError,
  RotationError,
  SecretFormatError,
  SecretStateError,
  UnsafeRotationError,
} from '../errors';
import { describeError } from '../redactor';
import {
  alternateUsername,
  type DatabaseSecret,
  parseDatabaseSecret,
  type SecretRules,
  sameEndpoint,
} from '../secret-value';
import { type RotationStrategy, readCurrent, type StepContext } from './rotation-strategy';

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
      engineNamePrefixes: engine.engineNamePrefixes ?? [],
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
          ` (shorten the username to ${limit - CLONE_SUFFIX.length} ${unit}${ctx.engine.usernameLimitVariable ? ` or raise ${ctx.engine.usernameLimitVariable}` : ''})`,
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
    if (!sameEndpoint(current, pending)) {
      throw new UnsafeRotationError(
        `AWSPENDING is for ${pending.host}:${pending.port} but AWSCURRENT is for ${current.host}:${current.port}`,
        ctx.errorContext,
      );
    }
    const original = current.username.endsWith(CLONE_SUFFIX) ? pending.username : current.username;
    const clone = `${original}${CLONE_SUFFIX}`;
    const superuser = await readSuperuser(ctx, current);
    // The superuser must never be one of the two users: the rotation would set its password to
    // one the application holds, and the superuser secret would stop working.
    if (superuser.username === original || superuser.username === clone) {
      throw new UnsafeRotationError(
        `the superuser secret (masterarn) is for user ${JSON.stringify(superuser.username)}, which is ${superuser.username === original ? 'the rotated user' : "the rotated user's clone"}; alternating users must never rotate the superuser's own password`,
        { ...ctx.errorContext, username: current.username },
      );
    }

    // Confused-deputy guard: only rotate credentials that are valid now. No AWSPREVIOUS fallback.
    // There is no probe of AWSPENDING either: it would fail in every normal rotation (a failed
    // login on the server), and the superuser's work below sets the pending password whatever it
    // is, so a re-run after a crash simply does it again.
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

    const superConnection = await ctx.login.login(superuser, 'superuser');
    const engineContext = { log: ctx.log, env: ctx.config.env, deadline: ctx.deadline };
    try {
      const escalations = ctx.engine.privilegeEscalations
        ? await ctx.engine.privilegeEscalations(
            superConnection,
            { originalUsername: original, cloneUsername: clone },
            engineContext,
          )
        : [];
      if (escalations.length > 0) {
        throw new UnsafeRotationError(
          `refusing to hand out more than the original user holds: ${escalations.join('; ')}`,
          { ...ctx.errorContext, username: pending.username },
        );
      }
      const outcome = await ctx.engine.upsertAlternateUser(
        superConnection,
        {
          username: pending.username,
          newPassword: pending.password,
          originalUsername: original,
          cloneUsername: clone,
          currentUsername: current.username,
          currentPassword: current.password,
          secret: pending,
        },
        engineContext,
      );
      ctx.log.info(outcome.created ? 'alternate user created' : 'password changed', {
        username: pending.username,
        original,
        privilegeChanges: outcome.privilegeChanges,
      });
    } catch (error) {
      if (error instanceof RotationError) throw error;
      const e = describeError(error, ctx.redactor);
      throw new DatabaseChangeError(
        `the superuser could not check, create or update the alternate user: ${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message}`,
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
      engineNamePrefixes: ctx.engine.engineNamePrefixes ?? [],
      defaultPort: ctx.engine.defaultPort,
      requireEngine: false,
      requireMasterArn: false,
      hostOptional: true,
    },
    what,
    ctx.errorContext,
  );
  ctx.redactor.remember(superuser.password, value.secretString);
  if (superuser.host === '') {
    throw new SecretFormatError(
      `${what} has no "host" key; add host (and port) to it. Secrets created by RDS-managed master passwords are not supported as superuser secrets yet`,
      ctx.errorContext,
    );
  }
  // Host and port: two instances on one host are two databases.
  if (!sameEndpoint(superuser, current)) {
    throw new UnsafeRotationError(
      `${what} is for ${superuser.host}:${superuser.port} but the rotated secret is for ${current.host}:${current.port}; the superuser must be for the same database`,
      ctx.errorContext,
    );
  }
  return superuser;
}
