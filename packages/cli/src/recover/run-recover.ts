import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { EngineModule } from '@rotor/rotation-core';
import {
  type DatabaseEngine,
  DatabaseLogin,
  Deadline,
  type EngineEnvironment,
  Logger,
  loadRotationConfig,
  loginSecretRules,
  parseDatabaseSecret,
  Redactor,
  type RotationConfig,
} from '@rotor/rotation-core';
import { engineKey, resolveEngine } from '../engines/engine-registry';
import { ENGINES } from '../engines/engines';
import { LogWarnings } from '../engines/log-warnings';
import { CliError } from '../errors';
import { planRecovery, type RecoveryPlan, type VersionFinding } from './recovery-plan';
import { findStuckRotation, type StuckRotation } from './stuck-rotation';

export interface RecoverOptions {
  readonly secretId: string;
  readonly client: SecretsManagerClient;
  /** The function's environment (ROTOR_CA_BUNDLE, ROTOR_TLS_FALLBACK, ROTOR_CONNECT_TIMEOUT_MS, ...). */
  readonly env: EngineEnvironment;
  /** Overrides the secret's `engine` key. */
  readonly engineValue?: string;
  /** False: a dry run, which changes nothing. */
  readonly apply: boolean;
  readonly registry?: readonly EngineModule[];
}

export interface LabelledFinding {
  readonly versionId: string;
  readonly finding: VersionFinding;
}

export interface RecoverReport {
  readonly secretId: string;
  readonly arn: string;
  /** Absent: no rotation is stuck, nothing to do. */
  readonly stuck?: StuckRotation;
  readonly current?: LabelledFinding;
  readonly pending?: LabelledFinding;
  readonly plan?: RecoveryPlan;
  readonly applied: boolean;
  /** Downgrades while logging in (TLS fallback), redacted. */
  readonly warnings: readonly string[];
  readonly stagesAfter: Readonly<Record<string, readonly string[]>>;
}

/** The secret changed between the check and the change: another rotation or a person acted. */
export class SecretChangedError extends CliError {
  override name = 'SecretChangedError';
}

/**
 * `rotor recover`: tries the AWSCURRENT and AWSPENDING credentials of a stuck rotation with the
 * engine's own connect and the rotation's login rules (core's DatabaseLogin: the secret's `ssl`
 * policy, the Amazon RDS CAs, ROTOR_CA_BUNDLE, ROTOR_TLS_FALLBACK), decides with planRecovery,
 * and with `apply` moves the labels. Every password read goes into the Redactor first.
 */
export async function runRecover(options: RecoverOptions): Promise<RecoverReport> {
  const { client, secretId } = options;
  const described = await describe(client, secretId);
  const arn = described.arn;
  const stuck = findStuckRotation(described.stages);
  const base = { secretId, arn, applied: false, stagesAfter: described.stages };
  if (stuck === undefined) return { ...base, warnings: [] };

  const redactor = new Redactor();
  const currentText = stuck.currentVersionId
    ? await readValue(client, arn, stuck.currentVersionId, 'AWSCURRENT', redactor)
    : undefined;
  const pendingText = await readValue(client, arn, stuck.pendingVersionId, 'AWSPENDING', redactor);
  const engine = chooseEngine(options, [currentText, pendingText]);
  let config: RotationConfig;
  try {
    config = loadRotationConfig(engine, options.env);
  } catch (error) {
    throw new CliError(`recover: ${(error as Error).message}`, { cause: error });
  }

  const warnings = new LogWarnings();
  const log = new Logger({ redactor, sink: warnings.sink });
  const tryVersion = (text: string | undefined, label: 'AWSCURRENT' | 'AWSPENDING') =>
    tryCredentials(engine, config, log, redactor, arn, text, label);
  const current: VersionFinding = stuck.currentVersionId
    ? await tryVersion(currentText, 'AWSCURRENT')
    : { status: 'unusable', detail: 'no version holds AWSCURRENT' };
  const pending = await tryVersion(pendingText, 'AWSPENDING');
  const plan = planRecovery(stuck, current, pending);
  const report = {
    ...base,
    stuck,
    ...(stuck.currentVersionId ? { current: { versionId: stuck.currentVersionId, finding: current } } : {}),
    pending: { versionId: stuck.pendingVersionId, finding: pending },
    plan,
    warnings: warnings.list,
  };
  if (!options.apply || plan.decision === 'refuse') return report;

  // Right before writing: the labels must still be where they were tested.
  const now = findStuckRotation((await describe(client, arn)).stages);
  if (now?.pendingVersionId !== stuck.pendingVersionId || now.currentVersionId !== stuck.currentVersionId) {
    throw new SecretChangedError(
      `recover: the stages of ${arn} changed while the credentials were tried (another rotation or change is running); nothing was changed, run recover again`,
    );
  }
  for (const action of plan.actions) {
    await client
      .send(
        new UpdateSecretVersionStageCommand({
          SecretId: arn,
          VersionStage: action.versionStage,
          ...(action.moveToVersionId ? { MoveToVersionId: action.moveToVersionId } : {}),
          ...(action.removeFromVersionId ? { RemoveFromVersionId: action.removeFromVersionId } : {}),
        }),
      )
      .catch((error: Error) => {
        throw new CliError(
          `recover: Secrets Manager UpdateSecretVersionStage (${action.versionStage}) failed for ${arn}: ${error.name}: ${error.message}`,
          { cause: error },
        );
      });
  }
  return { ...report, applied: true, stagesAfter: (await describe(client, arn)).stages };
}

async function describe(client: SecretsManagerClient, secretId: string) {
  const meta = await client.send(new DescribeSecretCommand({ SecretId: secretId })).catch((error: Error) => {
    throw new CliError(
      error.name === 'ResourceNotFoundException'
        ? `recover: secret ${secretId} not found (${error.name}: ${error.message})`
        : `recover: Secrets Manager DescribeSecret failed for ${secretId}: ${error.name}: ${error.message}`,
      { cause: error },
    );
  });
  return { arn: meta.ARN ?? secretId, stages: meta.VersionIdsToStages ?? {} };
}

/** The version's secret string, or undefined when the version has no value yet. */
async function readValue(
  client: SecretsManagerClient,
  arn: string,
  versionId: string,
  stage: string,
  redactor: Redactor,
): Promise<string | undefined> {
  try {
    const out = await client.send(
      new GetSecretValueCommand({ SecretId: arn, VersionId: versionId, VersionStage: stage }),
    );
    redactor.remember(out.SecretString);
    return out.SecretString;
  } catch (error) {
    const e = error as Error;
    // The service's placeholder for a rotation that failed before createSecret wrote a value.
    if (e.name === 'ResourceNotFoundException') return undefined;
    throw new CliError(
      `recover: Secrets Manager GetSecretValue (${stage}) failed for ${arn}: ${e.name}: ${e.message}`,
      { cause: error },
    );
  }
}

function chooseEngine(options: RecoverOptions, texts: readonly (string | undefined)[]): DatabaseEngine {
  const fromSecret = texts.map(engineKey).find((v) => v !== undefined);
  return resolveEngine('recover', options.engineValue, fromSecret, options.registry ?? ENGINES).engine;
}

async function tryCredentials(
  engine: DatabaseEngine,
  config: RotationConfig,
  log: Logger,
  redactor: Redactor,
  secretId: string,
  text: string | undefined,
  label: 'AWSCURRENT' | 'AWSPENDING',
): Promise<VersionFinding> {
  if (text === undefined) return { status: 'unusable', detail: `the ${label} version has no value` };
  let secret: ReturnType<typeof parseDatabaseSecret>;
  try {
    secret = parseDatabaseSecret(text, loginSecretRules(engine), label, { secretId });
  } catch (error) {
    return { status: 'unusable', detail: redactor.redact((error as Error).message) };
  }
  redactor.remember(secret.password);
  const who = { username: secret.username };
  // A fresh deadline per login: each attempt gets the connect timeout, as a rotation step would.
  const deadline = Deadline.after(config.connectTimeoutMs * 3);
  const login = new DatabaseLogin(engine, config, log, redactor, { secretId }, deadline);
  const attempt = await login.tryLogin(secret, label);
  if ('failure' in attempt) {
    const detail = redactor.redact(attempt.failure.message);
    return attempt.failure.reason === 'authentication'
      ? { status: 'refused', ...who, host: secret.host, port: secret.port, detail }
      : { status: 'unknown', ...who, detail };
  }
  try {
    await engine.runTestQuery(attempt.connection);
  } catch (error) {
    return {
      status: 'unknown',
      ...who,
      detail: redactor.redact(`logged in, but the test query failed: ${(error as Error).message}`),
    };
  } finally {
    await login.close(attempt.connection);
  }
  return { status: 'logs-in', ...who, host: secret.host, port: secret.port };
}
