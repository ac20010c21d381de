import type { RotationConfig } from '../config';
import type { DatabaseLogin } from '../database-login';
import type { DatabaseEngine } from '../engine';
import type { RotationErrorContext } from '../errors';
import type { Logger } from '../logger';
import type { Redactor } from '../redactor';
import type { DatabaseSecret, SecretRules } from '../secret-value';
import type { SecretsGateway } from '../secrets-gateway';

export type StrategyName = 'single-user' | 'alternating-users';

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
