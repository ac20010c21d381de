import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  type DatabaseEngine,
  type DatabaseSecret,
  type EngineModule,
  parseDatabaseSecret,
  type Redactor,
  type StrategyName,
  secretRulesFor,
} from '@rotor/rotation-core';
import { engineFor, engineValues } from '../../engines/engine-registry';
import { type DoctorCheck, failed, passed } from '../doctor-check';
import type { DoctorOptions } from '../run-doctor';

export interface RotatedSecret {
  readonly check: DoctorCheck;
  readonly engine?: DatabaseEngine;
  readonly secret?: DatabaseSecret;
  readonly strategy?: StrategyName;
}

/** The secret check: AWSCURRENT read and validated with the rules the rotation applies. */
export async function readRotatedSecret(
  options: DoctorOptions,
  registry: readonly EngineModule[],
  redactor: Redactor,
): Promise<RotatedSecret> {
  const name = 'secret';
  let secretString: string | undefined;
  try {
    const out = await options.client.send(
      new GetSecretValueCommand({ SecretId: options.secretId, VersionStage: 'AWSCURRENT' }),
    );
    secretString = out.SecretString;
  } catch (error) {
    const e = error as Error;
    return {
      check: failed(
        name,
        `cannot read AWSCURRENT of ${options.secretId}: ${e.name}: ${e.message}`,
        e.name === 'ResourceNotFoundException'
          ? 'check the secret name or ARN, the region (--region) and the endpoint (--endpoint)'
          : 'check the AWS credentials and that they allow secretsmanager:GetSecretValue (and kms:Decrypt for a customer-managed key)',
      ),
    };
  }
  redactor.remember(secretString);

  // The `engine` key and `masterarn` decide which rules apply, so they are read before validating.
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(secretString ?? '');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      fields = parsed as Record<string, unknown>;
  } catch {
    // parseDatabaseSecret below says what is wrong.
  }
  if (typeof fields.password === 'string') redactor.remember(fields.password);
  const strategy: StrategyName =
    options.strategy ?? (typeof fields.masterarn === 'string' ? 'alternating-users' : 'single-user');
  const inferred =
    options.strategy !== undefined
      ? ''
      : strategy === 'single-user'
        ? ' (no masterarn)'
        : ' (from masterarn)';
  const engineValue = typeof fields.engine === 'string' ? fields.engine : options.engineValue;
  const engine = engineValue === undefined ? undefined : engineFor(engineValue, registry);
  if (engine === undefined) {
    const known = engineValues(registry).join(', ');
    return {
      strategy,
      check: failed(
        name,
        engineValue === undefined && Object.keys(fields).length > 0
          ? 'the secret has no "engine" key, so its database is unknown'
          : engineValue === undefined
            ? 'the secret is not a JSON object with database keys'
            : `engine ${JSON.stringify(engineValue)} is not one Rotor rotates (${known})`,
        engineValue === undefined && Object.keys(fields).length > 0
          ? `add "engine" to the secret (${known}) or pass --engine`
          : 'store the secret as JSON: {"engine", "host", "port", "username", "password", ...}',
      ),
    };
  }
  try {
    const secret = parseDatabaseSecret(secretString, secretRulesFor(strategy, engine), 'AWSCURRENT', {
      secretId: options.secretId,
    });
    const ssl = {
      require: 'TLS required',
      disable: 'plaintext ("ssl": false)',
      prefer: 'TLS preferred (no "ssl" key)',
    };
    return {
      engine,
      secret,
      strategy,
      check: passed(
        name,
        `${engineValue} secret for user ${JSON.stringify(secret.username)} at ${secret.host}:${secret.port}${secret.dbname ? `/${secret.dbname}` : ''}, ${ssl[secret.ssl]}; strategy ${strategy}${inferred}`,
      ),
    };
  } catch (error) {
    return {
      engine,
      strategy,
      check: failed(
        name,
        (error as Error).message,
        `fix the secret's JSON (aws secretsmanager put-secret-value): it needs host, username, password${strategy === 'single-user' ? ', engine' : ', masterarn'}; optional port, dbname, ssl`,
      ),
    };
  }
}
