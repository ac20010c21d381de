import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  type DatabaseEngine,
  type DatabaseSecret,
  type EngineModule,
  parseDatabaseSecret,
  parseSecretJson,
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

  // The `engine` key and `masterarn` decide which rules apply, so the JSON is read before them,
  // with the rotation's own parser: the same words (where the JSON breaks, never what it holds).
  let fields: Record<string, unknown>;
  try {
    fields = parseSecretJson(secretString, 'AWSCURRENT', { secretId: options.secretId });
  } catch (error) {
    return {
      ...(options.strategy ? { strategy: options.strategy } : {}),
      check: failed(name, (error as Error).message, `${JSON_FIX}: ${keysFor(options.strategy)}`),
    };
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
      check:
        engineValue === undefined
          ? failed(
              name,
              'the secret has no "engine" key, so its database is unknown',
              `add "engine" to the secret (${known}) or pass --engine`,
            )
          : failed(
              name,
              `engine ${JSON.stringify(engineValue)}${typeof fields.engine === 'string' ? '' : ' (--engine)'} is not supported: Rotor rotates ${known}`,
              'Rotor has no rotation for this database; if the value is a misspelling, set "engine" in the secret to one of the supported values',
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
      check: failed(name, (error as Error).message, `${JSON_FIX}: ${keysFor(strategy)}`),
    };
  }
}

const JSON_FIX = "fix the secret's JSON (aws secretsmanager put-secret-value)";

function keysFor(strategy: StrategyName | undefined): string {
  const required =
    strategy === undefined
      ? 'engine, host, username, password (masterarn for alternating users)'
      : `host, username, password${strategy === 'single-user' ? ', engine' : ', masterarn'}`;
  return `it needs ${required}; optional port, dbname, ssl`;
}
