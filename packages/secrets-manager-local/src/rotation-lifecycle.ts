import { randomUUID } from 'node:crypto';
import { invalidParameter, invalidRequest, MISSING_TOKEN, SecretsManagerServiceError } from './errors';
import { type RotateSecretInput, tokenInUse } from './operation-inputs';
import { isValidScheduleExpression, nextRotationDate } from './rotation-schedule';
import { AWSCURRENT, AWSPENDING, type StoredSecret, type StoredVersion } from './secret-model';
import {
  detachLabel,
  findVersion,
  moveLabels,
  unfinishedRotationVersion,
  versionWithLabel,
} from './staging-labels';

/*
 * A rotation's life on one secret: RotateSecret's synchronous part (checks, then the AWSPENDING
 * placeholder), what the service does itself once the function's steps ended, and cancellation.
 * The store resolves the secret and records the change; these functions apply the rules.
 */

/** What the rotation runner needs once RotateSecret's synchronous part has been applied. */
export interface RotationPlan {
  secretArn: string;
  token: string;
  rotationToken: string;
  lambdaArn: string;
  /** `full` runs the four steps; `test-only` (RotateImmediately=false) runs testSecret on a copy. */
  mode: 'full' | 'test-only';
}

/**
 * Checks RotateSecret in the service's order, then saves the rotation settings and creates the
 * AWSPENDING version. `canInvoke` says whether a function is registered under an ARN.
 */
export function beginRotation(
  secret: StoredSecret,
  input: RotateSecretInput,
  canInvoke: (lambdaArn: string) => boolean,
  now: number,
): RotationPlan {
  const token = input.ClientRequestToken;
  if (token === undefined) throw invalidParameter(MISSING_TOKEN);
  const lambdaArn = input.RotationLambdaARN || secret.rotationLambdaArn;
  if (!lambdaArn) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
  const rules = input.RotationRules;
  if (rules?.AutomaticallyAfterDays !== undefined && rules.ScheduleExpression !== undefined) {
    throw invalidParameter("You can't specify both AutomaticallyAfterDays and ScheduleExpression.");
  }
  if (rules?.ScheduleExpression !== undefined && !isValidScheduleExpression(rules.ScheduleExpression)) {
    throw invalidParameter(`The schedule expression ${rules.ScheduleExpression} is invalid.`);
  }
  if (unfinishedRotationVersion(secret)) {
    throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
  }
  if (!canInvoke(lambdaArn)) {
    throw new SecretsManagerServiceError(
      'AccessDeniedException',
      'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
    );
  }
  if (findVersion(secret, token)) throw tokenInUse(token, secret);

  const mode = input.RotateImmediately === false ? 'test-only' : 'full';
  secret.rotationLambdaArn = lambdaArn;
  if (rules) secret.rotationRules = { ...rules };
  secret.rotationEnabled = true;
  // The placeholder has no value: the createSecret step fills it with PutSecretValue.
  const pending: StoredVersion = { versionId: token, createdDate: now, stages: [] };
  if (mode === 'test-only') {
    // testSecret alone, against a copy of the current value; AWSCURRENT does not move.
    const current = versionWithLabel(secret, AWSCURRENT);
    if (current?.value) pending.value = current.value;
    secret.nextRotationDate = nextRotationDate(secret.rotationRules, secret.lastRotatedDate ?? now);
  }
  secret.versions.push(pending);
  moveLabels(secret, pending, [AWSPENDING], { dropPendingFromOldCurrent: false });
  return {
    secretArn: secret.arn,
    token,
    rotationToken: `${randomUUID()}-${randomUUID()}`,
    lambdaArn,
    mode,
  };
}

/** After every step succeeded: the service itself clears AWSPENDING and records the dates. */
export function finishRotation(secret: StoredSecret, plan: RotationPlan, now: number): void {
  const version = findVersion(secret, plan.token);
  if (plan.mode === 'test-only') {
    // The copy only existed for testSecret.
    if (version && !version.stages.includes(AWSCURRENT)) {
      secret.versions = secret.versions.filter((v) => v !== version);
    } else if (version) {
      detachLabel(version, AWSPENDING);
    }
  } else {
    if (version) detachLabel(version, AWSPENDING);
    secret.lastRotatedDate = now;
    if (secret.rotationEnabled) secret.nextRotationDate = nextRotationDate(secret.rotationRules, now);
  }
}

/** CancelRotateSecret: rotation is off, and the unfinished version (if any) is what it left. */
export function cancelRotation(secret: StoredSecret): string | undefined {
  secret.rotationEnabled = false;
  secret.nextRotationDate = undefined;
  return unfinishedRotationVersion(secret)?.versionId;
}
