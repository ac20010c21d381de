import type { DatabaseEngine } from '../engine';
import {
  DatabaseChangeError,
  LoginFailedError,
  RotationError,
  SecretFormatError,
  SecretStateError,
  UnsafeRotationError,
} from '../errors';
import { resolveStepSuperuser } from '../managed-secrets/step-superuser';
import { describeError } from '../redactor';
import {
  alternateUsernameProblem,
  CLONE_SUFFIX,
  secretRulesFor,
  superuserIdentityProblem,
  superuserSecretRules,
} from '../rotation-rules';
import {
  alternateUsername,
  type DatabaseSecret,
  parseDatabaseSecret,
  type SecretRules,
  sameEndpoint,
} from '../secret-value';
import { type RotationStrategy, readCurrent, type StepContext } from './rotation-strategy';

/**
 * Two users take turns: each rotation sets the password of the one not in AWSCURRENT, so the
 * credentials applications hold keep working until the next rotation. A superuser (the secret
 * named by `masterarn`) creates `<user>_clone` and keeps its privileges equal to the original's.
 */
export class AlternatingUsersStrategy implements RotationStrategy {
  readonly name = 'alternating-users' as const;

  secretRules(engine: DatabaseEngine): SecretRules {
    return secretRulesFor(this.name, engine);
  }

  pendingUsername(current: DatabaseSecret, ctx: StepContext): string {
    const problem = alternateUsernameProblem(ctx.engine, current.username, ctx.config.maxUsernameLength);
    if (problem) throw new SecretFormatError(problem, { ...ctx.errorContext, username: current.username });
    return alternateUsername(current.username);
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
    const identityProblem = superuserIdentityProblem(superuser, current.username);
    if (identityProblem) {
      throw new UnsafeRotationError(identityProblem, { ...ctx.errorContext, username: current.username });
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
    superuserSecretRules(ctx.engine),
    what,
    ctx.errorContext,
  );
  ctx.redactor.remember(superuser.password, value.secretString);
  return (await resolveStepSuperuser(ctx, current, superuser, arn)).superuser;
}
