import type { RotationConfig } from './config';
import { DatabaseLogin } from './database-login';
import type { Deadline } from './deadline';
import type { DatabaseEngine } from './engine';
import { type RotationErrorContext, SecretStateError, SecretsManagerError } from './errors';
import type { Logger } from './logger';
import { loginAwaitingReplica } from './managed-secrets/replica-login';
import { generatePassword } from './password';
import type { Redactor } from './redactor';
import type { RotationEvent } from './rotation-event';
import { type DatabaseSecret, parseDatabaseSecret, withChanges } from './secret-value';
import type { SecretsGateway } from './secrets-gateway';
import type { RotationStrategy, StepContext } from './strategies/rotation-strategy';

/** The label a local run's new version carries until it holds AWSPENDING (see claimPending). */
const LOCAL_CLAIM_LABEL = 'ROTOR_LOCAL_CLAIM';

/** Who invokes the steps: Secrets Manager (the Lambda handler), or `rotateLocally`. */
export type StepDriver = 'service' | 'local';

/**
 * One invocation: the stage checks every step makes, then the step. createSecret, testSecret and
 * finishSecret are the same for every strategy; setSecret is the strategy's.
 *
 * Secrets Manager calls per step (first run): createSecret 5, setSecret 3 (+1 AWSPREVIOUS when
 * AWSCURRENT is refused; +1 superuser secret for alternating users), testSecret 2,
 * finishSecret 2. Passwords are generated locally with a CSPRNG, so GetRandomPassword is not called.
 */
export class RotationSteps<C> {
  private readonly context: StepContext<C>;

  constructor(
    private readonly event: RotationEvent,
    engine: DatabaseEngine<C>,
    private readonly strategy: RotationStrategy,
    config: RotationConfig,
    secrets: SecretsGateway,
    log: Logger,
    redactor: Redactor,
    errorContext: RotationErrorContext,
    deadline: Deadline,
    private readonly driver: StepDriver = 'service',
  ) {
    const rules = strategy.secretRules(engine);
    this.context = {
      secretId: event.SecretId,
      token: event.ClientRequestToken,
      engine,
      config,
      secrets,
      login: new DatabaseLogin(engine, config, log, redactor, errorContext, deadline),
      deadline,
      log,
      redactor,
      errorContext,
      readSecret: async (selector) => {
        const value = await secrets.getValue(event.SecretId, selector);
        if (!value) return undefined;
        redactor.remember(value.secretString);
        const label = selector.versionId ? `${selector.stage} version ${selector.versionId}` : selector.stage;
        const secret = parseDatabaseSecret(
          value.secretString,
          rules,
          `the ${label} secret value`,
          errorContext,
        );
        redactor.remember(secret.password);
        return secret;
      },
    };
  }

  async run(): Promise<void> {
    if (!(await this.checkStages())) return;
    switch (this.event.Step) {
      case 'createSecret':
        return this.createSecret();
      case 'setSecret':
        return this.strategy.setSecret(this.context, await this.readPending());
      case 'testSecret':
        return this.testSecret();
      case 'finishSecret':
        return this.finishSecret();
    }
  }

  /** False when there is nothing to do (the version is already AWSCURRENT). */
  private async checkStages(): Promise<boolean> {
    const { secrets, secretId, token, log, errorContext } = this.context;
    const meta = await secrets.describe(secretId);
    this.versions = meta.versions;
    // A local driver (rotor rotate) stands in for the service: it needs no rotation configured,
    // and cannot create the empty placeholder version, so createSecret creates the version.
    if (!meta.rotationEnabled && this.driver === 'service') {
      throw new SecretStateError('secret is not enabled for rotation', errorContext);
    }
    const stages = meta.versions[token];
    if (!stages && this.driver === 'local' && this.event.Step === 'createSecret') return true;
    if (!stages) throw new SecretStateError('version has no stage for rotation of the secret', errorContext);
    if (stages.includes('AWSCURRENT')) {
      log.info('version is already AWSCURRENT; nothing to do');
      return false;
    }
    if (!stages.includes('AWSPENDING')) {
      throw new SecretStateError('version is not set as AWSPENDING for rotation of the secret', errorContext);
    }
    return true;
  }

  private versions: Readonly<Record<string, readonly string[]>> = {};

  private async createSecret(): Promise<void> {
    const { secrets, secretId, token, config, log, redactor, errorContext } = this.context;
    const existing = await secrets.getValue(secretId, { versionId: token, stage: 'AWSPENDING' });
    if (existing) {
      log.info('pending version already has a value; nothing to do');
      return;
    }
    const current = await this.context.readSecret({ stage: 'AWSCURRENT' });
    if (!current)
      throw new SecretStateError('the secret has no AWSCURRENT value to rotate from', errorContext);
    const username = this.strategy.pendingUsername(current, this.context);
    const password = generatePassword(config.password);
    redactor.rememberGenerated(password);
    // PutSecretValue with AWSPENDING moves the label from whichever version holds it. If another
    // rotation's version does, moving it away would orphan that rotation, which may already have
    // set its password in the database: then no labelled version logs in. Checked again right
    // before the write, since the stage check above ran before two reads.
    const now = await secrets.describe(secretId);
    const other = Object.entries(now.versions).find(
      ([versionId, stages]) => versionId !== token && stages.includes('AWSPENDING'),
    );
    if (other) {
      throw new SecretStateError(
        `another rotation is in progress: version ${other[0]} holds AWSPENDING; refusing to move the label away from it (let that rotation finish, or remove its label with update-secret-version-stage)`,
        errorContext,
      );
    }
    const value = withChanges(current, { username, password });
    if (this.driver === 'local' && this.versions[token] === undefined) {
      await this.claimPending(value);
    } else {
      await secrets.putPending(secretId, token, value, this.event.RotationToken);
    }
    log.info('pending version created', { username });
  }

  /**
   * A local run creates the version itself (the service creates it, labelled, before invoking), so
   * two local runs could both pass the check above and the second PutSecretValue would move
   * AWSPENDING away from the first. Instead the version is written under a label of its own, then
   * AWSPENDING is moved onto it without RemoveFromVersionId, which the service refuses while the
   * label is on another version: of two rotations started at once, exactly one gets it.
   */
  private async claimPending(value: string): Promise<void> {
    const { secrets, secretId, token, errorContext } = this.context;
    await secrets.putPending(secretId, token, value, undefined, LOCAL_CLAIM_LABEL);
    try {
      await secrets.moveStage(secretId, 'AWSPENDING', token);
    } catch (error) {
      await secrets.removeStage(secretId, LOCAL_CLAIM_LABEL, token).catch(() => undefined);
      if (error instanceof SecretsManagerError && error.awsCode === 'InvalidParameterException') {
        throw new SecretStateError(
          'another rotation is in progress: AWSPENDING was taken by another version while this one was created (let that rotation finish, or remove its label with update-secret-version-stage)',
          errorContext,
          { cause: error },
        );
      }
      throw error;
    }
    await secrets.removeStage(secretId, LOCAL_CLAIM_LABEL, token);
  }

  private async testSecret(): Promise<void> {
    const { login, engine, log } = this.context;
    const pending = await this.readPending();
    const connection = await loginAwaitingReplica(this.context, pending);
    try {
      await engine.runTestQuery(connection);
    } finally {
      await login.close(connection);
    }
    log.info('pending credentials verified', { username: pending.username });
  }

  private async finishSecret(): Promise<void> {
    const { secrets, secretId, token, log } = this.context;
    const current = Object.entries(this.versions).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
    await secrets.moveStage(secretId, 'AWSCURRENT', token, current);
    log.info('AWSCURRENT moved', { from: current ?? null, to: token });
  }

  private async readPending(): Promise<DatabaseSecret> {
    const pending = await this.context.readSecret({ stage: 'AWSPENDING', versionId: this.context.token });
    if (!pending) {
      throw new SecretStateError(
        'the AWSPENDING version has no value yet (createSecret has not completed)',
        this.context.errorContext,
      );
    }
    return pending;
  }
}
