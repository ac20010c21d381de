import type { StrategyName } from '@rotor/rotation-core';
import type { SecretStore } from '@rotor/secrets-manager-local';
import type { FaultRigAdapter } from './engine-test-adapter';

/** One secret under test: what it rotates and what must never change in it. */
export interface InvariantCase {
  readonly arn: string;
  readonly strategy: StrategyName;
  readonly username: string;
  readonly table: string;
  /** Every key of the secret besides username and password, with the value it must keep. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * The promise of a rotation, checked underneath the wire (the store) and against the real
 * database: at most one version holds AWSPENDING; every labelled value keeps all keys but
 * username/password and names the user (or, alternating, its clone); and the credentials the
 * application may hold log in. `after` a rotation: AWSCURRENT (and, alternating, AWSPREVIOUS),
 * with no AWSPENDING left elsewhere. `during` one (a step failed): alternating, AWSCURRENT, and
 * AWSPREVIOUS unless setSecret already moved its user to AWSPENDING's password; single-user changes the one user's password in setSecret, so until finishSecret
 * the working password is AWSCURRENT's or, once set, AWSPENDING's: one of the two must log in.
 * Returns the violations (empty when the invariant holds); messages carry no secret.
 */
export async function invariantViolations(
  adapter: FaultRigAdapter,
  store: SecretStore,
  c: InvariantCase,
  phase: 'during' | 'after',
): Promise<string[]> {
  const violations: string[] = [];
  const versions = store.snapshotVersions(c.arn);
  const labelled = (label: string) => versions.find((v) => v.stages.includes(label));
  const pendingHolders = versions.filter((v) => v.stages.includes('AWSPENDING'));
  if (pendingHolders.length > 1) violations.push(`${pendingHolders.length} versions hold AWSPENDING`);

  const secretOf = (versionId: string): Record<string, unknown> | undefined => {
    const text = (
      store.getSecretValue({ SecretId: c.arn, VersionId: versionId }) as { SecretString?: string }
    ).SecretString;
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  };
  const allowedUsers =
    c.strategy === 'alternating-users' ? [c.username, `${c.username}_clone`] : [c.username];
  for (const v of versions) {
    if (v.stages.length === 0 || !v.hasValue) continue;
    const value = secretOf(v.versionId) ?? {};
    const { username, password, ...rest } = value;
    if (!allowedUsers.includes(String(username))) violations.push(`${v.stages.join('+')} names another user`);
    if (typeof password !== 'string' || password === '')
      violations.push(`${v.stages.join('+')} has no password`);
    const changed = diffKeys(c.extra, rest);
    if (changed.length > 0) violations.push(`${v.stages.join('+')} changed keys: ${changed.join(', ')}`);
  }

  const login = async (label: string): Promise<boolean | undefined> => {
    const version = labelled(label);
    if (!version?.hasValue) return undefined;
    const value = secretOf(version.versionId) ?? {};
    try {
      return await adapter.canLogin(String(value.username), String(value.password));
    } catch (error) {
      const { name, code } = error as Error & { code?: unknown };
      violations.push(`${label} login check failed: ${name}${code === undefined ? '' : ` ${String(code)}`}`);
      return false;
    }
  };
  const samePendingUser = (): boolean => {
    const pending = labelled('AWSPENDING');
    const prior = labelled('AWSPREVIOUS');
    if (!pending?.hasValue || !prior?.hasValue) return false;
    return secretOf(pending.versionId)?.username === secretOf(prior.versionId)?.username;
  };
  const current = await login('AWSCURRENT');
  const previous = c.strategy === 'alternating-users' ? await login('AWSPREVIOUS') : undefined;
  if (phase === 'after') {
    if (current !== true) violations.push('AWSCURRENT does not log in after the rotation');
    if (previous === false) violations.push('AWSPREVIOUS does not log in after the rotation');
    const current_ = labelled('AWSCURRENT');
    if (pendingHolders.some((v) => v.versionId !== current_?.versionId))
      violations.push('AWSPENDING left on a version other than AWSCURRENT');
  } else if (c.strategy === 'alternating-users') {
    if (current !== true) violations.push('AWSCURRENT does not log in during the rotation');
    // setSecret gives AWSPREVIOUS's user its next password (the AWS template does the same), so
    // from then on that user logs in with AWSPENDING; both must never fail at once.
    if (previous === false && !(samePendingUser() && (await login('AWSPENDING')) === true))
      violations.push('AWSPREVIOUS does not log in during the rotation, nor does its user with AWSPENDING');
  } else if (current !== true && (await login('AWSPENDING')) !== true) {
    violations.push('neither AWSCURRENT nor AWSPENDING logs in during the rotation');
  }
  return violations;
}

/** Keys whose values differ (or are missing / added); values are never reported. */
function diffKeys(expected: Readonly<Record<string, unknown>>, actual: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...keys].filter((k) => JSON.stringify(expected[k]) !== JSON.stringify(actual[k]));
}
