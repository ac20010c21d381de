import type { RotationConfig } from '../config';
import type { DatabaseLogin } from '../database-login';
import type { Deadline } from '../deadline';
import type { DatabaseEngine } from '../engine';
import { type RotationErrorContext, SecretStateError } from '../errors';
import type { Logger } from '../logger';
import type { Redactor } from '../redactor';
import type { DatabaseSecret, SecretRules } from '../secret-value';
import type { SecretsGateway } from '../secrets-gateway';

/** The two strategies, as handler files and zip entry points name them. */
export const STRATEGY_NAMES = ['single-user', 'alternating-users'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** What a strategy's setSecret works with during one invocation. */
export interface StepContext<C = unknown> {
  readonly secretId: string;
  readonly token: string;
  readonly engine: DatabaseEngine<C>;
  readonly config: RotationConfig;
  readonly secrets: SecretsGateway;
  readonly login: DatabaseLogin<C>;
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly errorContext: RotationErrorContext;
  /** When this invocation must be done: every database and Secrets Manager call is bounded by it. */
  readonly deadline: Deadline;
  /** Reads and validates a version of the rotated secret (undefined when it has no value). */
  readSecret(selector: { stage: string; versionId?: string }): Promise<DatabaseSecret | undefined>;
}

/** The parts of a rotation that differ between single-user and alternating-users. */
export interface RotationStrategy {
  readonly name: StrategyName;
  /** Validation rules for the rotated secret's JSON. */
  secretRules(engine: DatabaseEngine): SecretRules;
  /** The username the new version carries (createSecret). Throws when it cannot be used. */
  pendingUsername(current: DatabaseSecret, context: StepContext): string;
  /** Makes the database accept the pending credentials (setSecret). Idempotent. */
  setSecret<C>(context: StepContext<C>, pending: DatabaseSecret): Promise<void>;
}

/** AWSCURRENT of the rotated secret; setSecret cannot proceed without it. */
export async function readCurrent(ctx: StepContext<unknown>): Promise<DatabaseSecret> {
  const current = await ctx.readSecret({ stage: 'AWSCURRENT' });
  if (!current)
    throw new SecretStateError('the secret has no AWSCURRENT value to rotate from', ctx.errorContext);
  return current;
}

/**
 * Tried only after AWSCURRENT was refused as an authentication failure, never first: in the normal
 * path the pending password is not set yet, and probing it would cost a failed login on the server
 * every rotation (account lockout policies count those). True when the pending credentials log
 * in: an earlier try of setSecret got as far as the database change. An unreachable database ends
 * the step here.
 */
export async function pendingAlreadyApplied<C>(
  ctx: StepContext<C>,
  pending: DatabaseSecret,
): Promise<boolean> {
  const attempt = await ctx.login.tryLogin(pending, 'AWSPENDING');
  if ('connection' in attempt) {
    await ctx.login.close(attempt.connection);
    ctx.log.info('pending credentials already log in; password was set by an earlier try', {
      username: pending.username,
    });
    return true;
  }
  if (attempt.failure.reason === 'network') throw attempt.failure;
  return false;
}
