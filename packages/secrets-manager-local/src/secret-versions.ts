import { invalidParameter, invalidRequest, notFound } from './errors';
import type { UpdateSecretVersionStageInput } from './operation-inputs';
import { AWSCURRENT, type SecretValue, type StoredSecret, type StoredVersion } from './secret-model';
import type { ReadableVersion } from './secret-views';
import { assertLabelRoom, detachLabel, findVersion, moveLabels, versionWithLabel } from './staging-labels';

/*
 * The versions of one secret: which version a read selects, how a new value is stored, and how
 * UpdateSecretVersionStage moves a label. The store resolves the secret and records the change.
 */

const DAY = 86_400;
/** AWS keeps at most this many deprecated versions, sparing those younger than a day (G8). */
const MAX_DEPRECATED_VERSIONS = 100;

/** The version a read names by id, by label, or (neither) AWSCURRENT; it must hold a value. */
export function selectVersion(
  secret: StoredSecret,
  versionId: string | undefined,
  versionStage: string | undefined,
): ReadableVersion {
  let version: StoredVersion | undefined;
  let notFoundMessage: string;
  if (versionId !== undefined) {
    notFoundMessage = `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`;
    version = findVersion(secret, versionId);
    if (version && versionStage !== undefined && !version.stages.includes(versionStage)) {
      throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
    }
  } else {
    const label = versionStage ?? AWSCURRENT;
    notFoundMessage = `Secrets Manager can't find the specified secret value for staging label: ${label}`;
    version = versionWithLabel(secret, label);
  }
  // A rotation placeholder exists but has no value yet, so it cannot be read either.
  if (!version?.value) throw notFound(notFoundMessage);
  return version as ReadableVersion;
}

/**
 * Stores `value` under `token`, in the empty placeholder `existing` when there is one, and
 * attaches `stages`. The first value of a secret always becomes AWSCURRENT.
 */
export function storeValue(
  secret: StoredSecret,
  token: string,
  value: SecretValue,
  stages: string[],
  existing: StoredVersion | undefined,
  now: number,
): StoredVersion {
  const labels = versionWithLabel(secret, AWSCURRENT) ? stages : [...new Set([...stages, AWSCURRENT])];
  const version = existing ?? { versionId: token, createdDate: now, stages: [] };
  assertLabelRoom(version, labels);
  version.value = value;
  if (!existing) secret.versions.push(version);
  moveLabels(secret, version, labels, { dropPendingFromOldCurrent: true });
  pruneDeprecated(secret, now);
  return version;
}

function pruneDeprecated(secret: StoredSecret, now: number): void {
  const deprecated = secret.versions.filter((v) => v.stages.length === 0);
  let excess = deprecated.length - MAX_DEPRECATED_VERSIONS;
  if (excess <= 0) return;
  const cutoff = now - DAY;
  const doomed = new Set<StoredVersion>();
  for (const version of deprecated) {
    if (excess <= 0) break;
    if (version.createdDate < cutoff) {
      doomed.add(version);
      excess--;
    }
  }
  secret.versions = secret.versions.filter((v) => !doomed.has(v));
}

/** UpdateSecretVersionStage's checks in the service's order, then the move or removal. */
export function moveStage(secret: StoredSecret, input: UpdateSecretVersionStageInput): void {
  const { VersionStage: label, RemoveFromVersionId: removeFrom, MoveToVersionId: moveTo } = input;
  if (removeFrom === undefined && moveTo === undefined) {
    throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
  }
  const target = moveTo === undefined ? undefined : findVersion(secret, moveTo);
  if (moveTo !== undefined && !target) {
    throw invalidParameter(`The parameter MoveToVersionId is invalid: version ${moveTo} doesn't exist.`);
  }
  if (removeFrom !== undefined && !findVersion(secret, removeFrom)) {
    throw invalidParameter(
      `The parameter RemoveFromVersionId is invalid: version ${removeFrom} doesn't exist.`,
    );
  }
  const holder = versionWithLabel(secret, label);
  if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
    throw invalidParameter(
      `The parameter RemoveFromVersionId is invalid: staging label ${label} is not attached to version ${removeFrom}.`,
    );
  }

  if (target) {
    if (holder && holder !== target && removeFrom === undefined) {
      throw invalidParameter(
        `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (holder !== target) moveLabels(secret, target, [label], { dropPendingFromOldCurrent: false });
  } else if (holder) {
    // Without a destination AWSCURRENT could vanish, and a secret with a value always has one.
    if (label === AWSCURRENT) {
      throw invalidParameter(
        `You can only move staging label ${AWSCURRENT} to a different secret version. It can't be completely removed.`,
      );
    }
    detachLabel(holder, label);
  }
}
