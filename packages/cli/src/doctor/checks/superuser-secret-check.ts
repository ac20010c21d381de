import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type DatabaseEngine,
  type DatabaseSecret,
  type EngineEnvironment,
  parseDatabaseSecret,
  type Redactor,
  superuserIdentityProblem,
  superuserSecretRules,
} from '@rotor/rotation-core';
import { type DoctorCheck, failed } from '../doctor-check';
import { superuserResolutionCheck } from './superuser-resolution-check';

const NAME = 'superuser-secret';

/**
 * The superuser secret named by `masterarn`, read, validated and resolved with core's rules, and
 * refused, as the rotation refuses it, when it is for one of the two rotated users.
 */
export async function superuserSecretCheck(input: {
  readonly client: SecretsManagerClient;
  readonly env: EngineEnvironment;
  readonly timeoutMs: number;
  readonly engine: DatabaseEngine;
  readonly current: DatabaseSecret;
  readonly redactor: Redactor;
}): Promise<{ check: DoctorCheck; secret?: DatabaseSecret }> {
  const { engine, current, redactor } = input;
  const arn = current.masterarn as string;
  let secretString: string | undefined;
  try {
    const out = await input.client.send(
      new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }),
    );
    secretString = out.SecretString;
  } catch (error) {
    const e = error as Error;
    return {
      check: failed(
        NAME,
        `cannot read the superuser secret ${arn} (masterarn): ${e.name}: ${e.message}`,
        'set "masterarn" to the ARN of the superuser secret; the function\'s role needs secretsmanager:GetSecretValue on it',
      ),
    };
  }
  redactor.remember(secretString);
  let superuser: DatabaseSecret;
  try {
    superuser = parseDatabaseSecret(
      secretString,
      superuserSecretRules(engine),
      `superuser secret ${arn}`,
      {},
    );
  } catch (error) {
    return {
      check: failed(
        NAME,
        (error as Error).message,
        "fix the superuser secret's JSON: it needs host, username and password",
      ),
    };
  }
  redactor.remember(superuser.password);
  const identity = superuserIdentityProblem(superuser, current.username);
  if (identity) {
    return {
      check: failed(
        NAME,
        identity,
        'point "masterarn" at a superuser secret for a different user than the one rotated (the application\'s user must not be the superuser)',
      ),
    };
  }
  return superuserResolutionCheck({
    arn,
    superuser,
    current,
    engine,
    client: input.client,
    env: input.env,
    timeoutMs: input.timeoutMs,
  });
}
