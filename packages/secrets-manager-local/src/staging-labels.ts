import { limitExceeded } from './errors';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, type StoredSecret, type StoredVersion } from './secret-model';

/** AWS allows at most 20 staging labels on one version (G9). */
export const MAX_LABELS_PER_VERSION = 20;

export function versionWithLabel(secret: StoredSecret, label: string): StoredVersion | undefined {
  return secret.versions.find((v) => v.stages.includes(label));
}

export function findVersion(secret: StoredSecret, versionId: string): StoredVersion | undefined {
  return secret.versions.find((v) => v.versionId === versionId);
}

export function detachLabel(version: StoredVersion, label: string): void {
  version.stages = version.stages.filter((s) => s !== label);
}

/** Puts `label` on `target`, taking it off whichever version had it: one version per label (G6). */
function attachLabel(secret: StoredSecret, target: StoredVersion, label: string): void {
  for (const version of secret.versions) {
    if (version !== target && version.stages.includes(label)) detachLabel(version, label);
  }
  if (!target.stages.includes(label)) target.stages.push(label);
}

/** Throws before anything changes if `target` would end up with more than 20 labels. */
export function assertLabelRoom(target: StoredVersion, labels: readonly string[]): void {
  const merged = new Set([...target.stages, ...labels]);
  if (merged.size > MAX_LABELS_PER_VERSION) {
    throw limitExceeded(
      `You can't attach more than ${MAX_LABELS_PER_VERSION} staging labels to version ${target.versionId}.`,
    );
  }
}

/**
 * Attaches `labels` to `target` with the service's rules: each label leaves its old version (G6)
 * and, when AWSCURRENT moves, the version that lost it becomes AWSPREVIOUS (G7). PutSecretValue
 * and UpdateSecret also take AWSPENDING off the old current version (`dropPendingFromOldCurrent`),
 * which UpdateSecretVersionStage does not.
 */
export function moveLabels(
  secret: StoredSecret,
  target: StoredVersion,
  labels: readonly string[],
  options: { dropPendingFromOldCurrent: boolean },
): void {
  assertLabelRoom(target, labels);
  const oldCurrent = labels.includes(AWSCURRENT) ? versionWithLabel(secret, AWSCURRENT) : undefined;
  for (const label of labels) attachLabel(secret, target, label);
  if (oldCurrent && oldCurrent !== target) {
    attachLabel(secret, oldCurrent, AWSPREVIOUS);
    if (options.dropPendingFromOldCurrent) detachLabel(oldCurrent, AWSPENDING);
  }
}

/**
 * The version of an unfinished rotation: AWSPENDING on a version that is not also AWSCURRENT.
 * AWSPENDING on the current version (a finished rotation whose label was not cleaned up) is not one.
 */
export function unfinishedRotationVersion(secret: StoredSecret): StoredVersion | undefined {
  return secret.versions.find((v) => v.stages.includes(AWSPENDING) && !v.stages.includes(AWSCURRENT));
}
