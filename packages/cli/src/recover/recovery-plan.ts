import type { StuckRotation } from './stuck-rotation';

/** What logging in with one labelled version's credentials gave. Never holds a password. */
export type VersionFinding =
  | { readonly status: 'logs-in'; readonly username: string; readonly host: string; readonly port: number }
  /** The server refused the credentials (an authentication failure). */
  | {
      readonly status: 'refused';
      readonly username: string;
      readonly host: string;
      readonly port: number;
      readonly detail: string;
    }
  /** Could not tell: the server was not reached, TLS failed, or the test query failed. */
  | { readonly status: 'unknown'; readonly username: string; readonly detail: string }
  /** The version has no value, or it is not a database secret. */
  | { readonly status: 'unusable'; readonly detail: string };

export type RecoveryDecision = 'complete-rotation' | 'remove-pending' | 'refuse';

/** One Secrets Manager UpdateSecretVersionStage call. */
export interface StageAction {
  readonly versionStage: 'AWSCURRENT' | 'AWSPENDING';
  readonly moveToVersionId?: string;
  readonly removeFromVersionId?: string;
}

export interface RecoveryPlan {
  readonly decision: RecoveryDecision;
  /** Why, in one sentence, from what was found. */
  readonly reason: string;
  /** In order; empty when refused. */
  readonly actions: readonly StageAction[];
}

/**
 * Decides from what each version's credentials did, never leaving the secret without an
 * AWSCURRENT that logs in: AWSCURRENT logging in keeps it (also when both log in, as alternating
 * users do), and only drops the AWSPENDING label; AWSPENDING logging in while the server refuses
 * AWSCURRENT means the database already changed, so the rotation is finished. Anything else
 * (neither logs in, or a failure that is not a refusal) is refused: nothing is known to work.
 */
export function planRecovery(
  stuck: StuckRotation,
  current: VersionFinding,
  pending: VersionFinding,
): RecoveryPlan {
  const removePending: StageAction = {
    versionStage: 'AWSPENDING',
    removeFromVersionId: stuck.pendingVersionId,
  };
  if (current.status === 'logs-in') {
    return {
      decision: 'remove-pending',
      reason:
        pending.status === 'logs-in'
          ? 'both log in (alternating users keep the previous user working): AWSCURRENT stays, and removing the AWSPENDING label lets the next rotation start afresh'
          : 'AWSCURRENT logs in and AWSPENDING does not: AWSCURRENT stays, and removing the AWSPENDING label lets the next rotation start afresh',
      actions: [removePending],
    };
  }
  if (current.status === 'refused' && pending.status === 'logs-in') {
    if (current.host !== pending.host || current.port !== pending.port) {
      return {
        decision: 'refuse',
        reason: `AWSPENDING logs in but is for ${pending.host}:${pending.port} while AWSCURRENT is for ${current.host}:${current.port}; a rotation never moves a secret to another server`,
        actions: [],
      };
    }
    return {
      decision: 'complete-rotation',
      reason:
        'the server refuses AWSCURRENT and accepts AWSPENDING, so the rotation changed the database and stopped before finishSecret: moving AWSCURRENT to the pending version finishes it (the old version becomes AWSPREVIOUS)',
      actions: [
        {
          versionStage: 'AWSCURRENT',
          moveToVersionId: stuck.pendingVersionId,
          ...(stuck.currentVersionId ? { removeFromVersionId: stuck.currentVersionId } : {}),
        },
        removePending,
      ],
    };
  }
  return { decision: 'refuse', reason: refusalReason(current, pending), actions: [] };
}

function refusalReason(current: VersionFinding, pending: VersionFinding): string {
  if (pending.status === 'logs-in')
    return 'AWSPENDING logs in but it is not known that AWSCURRENT stopped working (it was not refused by the server); fix what the AWSCURRENT line says and run again';
  if (current.status === 'unknown' || pending.status === 'unknown')
    return 'no version is known to work: the database was not reached, TLS failed or the test query failed, so the credentials could not be checked; fix what the lines above say and run again';
  return 'neither AWSCURRENT nor AWSPENDING logs in, so no version is known to work; set the database password to one of them (or store the working password as a new AWSCURRENT version), then run again';
}

/** A refused plan that more checks may change: a version could not be checked (not reached, TLS). */
export function undecided(current: VersionFinding | undefined, pending: VersionFinding | undefined): boolean {
  return current?.status === 'unknown' || pending?.status === 'unknown';
}

/** The AWS CLI command doing one action, for the record and for doing it by hand. */
export function awsCliCommand(secretArn: string, action: StageAction, quote: (w: string) => string): string {
  return [
    'aws secretsmanager update-secret-version-stage',
    `--secret-id ${quote(secretArn)}`,
    `--version-stage ${action.versionStage}`,
    ...(action.moveToVersionId ? [`--move-to-version-id ${action.moveToVersionId}`] : []),
    ...(action.removeFromVersionId ? [`--remove-from-version-id ${action.removeFromVersionId}`] : []),
  ].join(' ');
}
