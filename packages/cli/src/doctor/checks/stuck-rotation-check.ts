import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type RecoverCommandOptions, recoverCommandLine } from '../../recover/recover-command-line';
import { findStuckRotation } from '../../recover/stuck-rotation';
import { type DoctorCheck, failed, passed, skipped } from '../doctor-check';

const NAME = 'rotation-state';

/**
 * A rotation that failed part-way leaves AWSPENDING on a version that is not AWSCURRENT, and
 * Secrets Manager refuses every later rotation until it is resolved: report it with the exact
 * `rotor recover` command.
 */
export async function stuckRotationCheck(
  client: SecretsManagerClient,
  secretId: string,
  recoverOptions: RecoverCommandOptions,
): Promise<DoctorCheck> {
  let stages: Record<string, string[]>;
  try {
    stages = (await client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
  } catch (error) {
    const e = error as Error;
    return skipped(NAME, `cannot describe the secret: ${e.name}: ${e.message}`);
  }
  const stuck = findStuckRotation(stages);
  if (stuck === undefined) {
    return passed(NAME, 'no rotation in progress: no version holds AWSPENDING without AWSCURRENT');
  }
  return failed(
    NAME,
    `version ${stuck.pendingVersionId} holds AWSPENDING without AWSCURRENT: a rotation stopped part-way (or is running right now), and the next one will be refused until this is resolved`,
    `run ${recoverCommandLine(secretId, recoverOptions)} to see which version logs in and what it would change, then add --apply`,
  );
}
