import type { LoginAttempt } from '../database-login';
import type { DatabaseEngine } from '../engine';
import { DatabaseChangeError, LoginFailedError, RotationError, UnsafeRotationError } from '../errors';
import { describeError } from '../redactor';
import { secretRulesFor } from '../rotation-rules';
import { type DatabaseSecret, type SecretRules, sameEndpoint } from '../secret-value';
import {
  pendingAlreadyApplied,
  type RotationStrategy,
  readCurrent,
  type StepContext,
} from './rotation-strategy';

/** The user changes its own password; no other credentials are involved. */
export class SingleUserStrategy implements RotationStrategy {
  readonly name = 'single-user' as const;

  secretRules(engine: DatabaseEngine): SecretRules {
    return secretRulesFor(this.name, engine);
  }

  pendingUsername(current: DatabaseSecret): string {
    return current.username;
  }

  async setSecret<C>(ctx: StepContext<C>, pending: DatabaseSecret): Promise<void> {
    // Current is read first so that its password is known to the redactor before any login, and
    // the target is checked before pending credentials are sent anywhere.
    const current = await readCurrent(ctx);
    requireSameTarget(current, pending, 'AWSCURRENT', ctx);

    // AWSCURRENT first: in the normal path it is the only login, and it succeeds, so the server sees
    // no failed authentication. Only a refusal of the password itself leads to the other versions.
    const currentAttempt = await ctx.login.tryLogin(current, 'AWSCURRENT');
    let attempt: LoginAttempt<C> = currentAttempt;
    let usedStage = 'AWSCURRENT';
    let loggedInPassword = current.password;
    if ('failure' in currentAttempt) {
      if (currentAttempt.failure.reason !== 'authentication') throw currentAttempt.failure;
      // An earlier try may already have changed the password.
      if (await pendingAlreadyApplied(ctx, pending)) return;
      // The database changed but the secret did not: AWSPREVIOUS, with AWSCURRENT's ssl policy.
      const previous = await ctx.readSecret({ stage: 'AWSPREVIOUS' });
      if (previous) {
        requireSameTarget(previous, pending, 'AWSPREVIOUS', ctx);
        const previousAttempt = await ctx.login.tryLogin(previous, 'AWSPREVIOUS', current);
        if ('connection' in previousAttempt) {
          attempt = previousAttempt;
          usedStage = 'AWSPREVIOUS';
          loggedInPassword = previous.password;
          ctx.log.warn(
            'the server refused AWSCURRENT and accepted AWSPREVIOUS: the database still held the previous password, so the rotation logs in with AWSPREVIOUS',
            {
              credentials: 'AWSPREVIOUS',
              username: previous.username,
              host: previous.host,
              port: previous.port,
            },
          );
        }
      }
    }
    if ('failure' in attempt) {
      throw new LoginFailedError(
        `unable to log into database with previous, current, or pending secret; AWSCURRENT: ${attempt.failure.detail}`,
        attempt.failure.reason,
        { ...ctx.errorContext, username: pending.username },
        { cause: attempt.failure },
      );
    }

    // Change the user's own password.
    const connection = attempt.connection;
    try {
      await ctx.engine.setOwnPassword(
        connection,
        {
          username: pending.username,
          currentPassword: loggedInPassword,
          newPassword: pending.password,
          secret: pending,
        },
        { log: ctx.log, env: ctx.config.env, deadline: ctx.deadline },
      );
    } catch (error) {
      // An engine's typed error already names the problem; anything else is the database's refusal.
      if (error instanceof RotationError) throw error;
      const e = describeError(error, ctx.redactor);
      throw new DatabaseChangeError(
        `the database refused the password change: ${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message}`,
        { ...ctx.errorContext, username: pending.username },
        { cause: error },
      );
    } finally {
      await ctx.login.close(connection);
    }
    ctx.log.info('password changed', { username: pending.username, loggedInWith: usedStage });
  }
}

function requireSameTarget(
  other: DatabaseSecret,
  pending: DatabaseSecret,
  label: string,
  ctx: StepContext<unknown>,
): void {
  if (other.username !== pending.username) {
    throw new UnsafeRotationError(
      `AWSPENDING is for user ${JSON.stringify(pending.username)} but ${label} is for user ${JSON.stringify(other.username)}; single-user rotation changes one user's own password`,
      ctx.errorContext,
    );
  }
  if (!sameEndpoint(other, pending)) {
    throw new UnsafeRotationError(
      `AWSPENDING is for ${pending.host}:${pending.port} but ${label} is for ${other.host}:${other.port}; refusing to rotate across servers`,
      ctx.errorContext,
    );
  }
}
