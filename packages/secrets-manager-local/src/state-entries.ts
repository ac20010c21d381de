import { isValidSecretName, secretArnPrefix } from './arn';
import { StateFileError } from './errors';
import type { StoredSecret } from './secret-model';

/**
 * Checks every secret of a loaded state file against the shape the store relies on, so that a
 * hand-edited or foreign file is refused at start instead of failing later requests with 500s.
 * Messages name the entry (index and, when readable, its name) and the member at fault, never a
 * member's value: the file holds secret values in plain text.
 */
export function validateStateEntries(
  file: string,
  entries: readonly unknown[],
  region: string,
  accountId: string,
): StoredSecret[] {
  const arnPrefix = secretArnPrefix(region, accountId);
  const names = new Set<string>();
  const arns = new Set<string>();
  entries.forEach((entry, index) => {
    const where = describeEntry(file, entry, index);
    const problem = entryProblem(entry, arnPrefix);
    if (problem) throw new StateFileError(`${where}: ${problem}`);
    const secret = entry as StoredSecret;
    if (names.has(secret.name)) throw new StateFileError(`${where}: another entry has the same name.`);
    if (arns.has(secret.arn)) throw new StateFileError(`${where}: another entry has the same arn.`);
    names.add(secret.name);
    arns.add(secret.arn);
  });
  return entries as StoredSecret[];
}

function describeEntry(file: string, entry: unknown, index: number): string {
  const name = isObject(entry) && typeof entry.name === 'string' ? entry.name : undefined;
  // Only a valid name is echoed: a malformed one could be anything, including a value.
  const label = name !== undefined && isValidSecretName(name) ? ` (${name})` : '';
  return `State file ${file}, secrets[${index}]${label}`;
}

function entryProblem(entry: unknown, arnPrefix: string): string | undefined {
  if (!isObject(entry)) return 'is not an object.';
  if (typeof entry.name !== 'string' || !isValidSecretName(entry.name))
    return 'name is missing or not a valid secret name.';
  if (typeof entry.arn !== 'string' || !entry.arn.startsWith(`${arnPrefix}${entry.name}-`))
    return `arn is missing or is not an ARN of this name in this region and account (${arnPrefix}…).`;
  for (const key of ['createdDate', 'lastChangedDate'] as const)
    if (!isTime(entry[key])) return `${key} is missing or not a number of seconds.`;
  for (const key of [
    'lastAccessedDate',
    'deletedDate',
    'deletionDate',
    'lastRotatedDate',
    'nextRotationDate',
  ])
    if (entry[key] !== undefined && !isTime(entry[key])) return `${key} is not a number of seconds.`;
  for (const key of ['description', 'kmsKeyId', 'type', 'rotationLambdaArn', 'createToken'])
    if (entry[key] !== undefined && typeof entry[key] !== 'string') return `${key} is not a string.`;
  if (entry.rotationEnabled !== undefined && typeof entry.rotationEnabled !== 'boolean')
    return 'rotationEnabled is not a boolean.';
  if (entry.rotationRules !== undefined && !isObject(entry.rotationRules))
    return 'rotationRules is not an object.';
  if (entry.tags !== undefined && !isTagList(entry.tags))
    return 'tags is not a list of {Key, Value} strings.';
  if (!Array.isArray(entry.versions)) return 'versions is missing or not a list.';
  return versionsProblem(entry.versions);
}

function versionsProblem(versions: unknown[]): string | undefined {
  const ids = new Set<string>();
  const labels = new Set<string>();
  for (const [i, version] of versions.entries()) {
    const where = `versions[${i}]`;
    if (!isObject(version)) return `${where} is not an object.`;
    if (typeof version.versionId !== 'string' || version.versionId.length < 1)
      return `${where}.versionId is missing or not a string.`;
    if (ids.has(version.versionId)) return `${where}.versionId is used by an earlier version too.`;
    ids.add(version.versionId);
    if (!isTime(version.createdDate)) return `${where}.createdDate is missing or not a number of seconds.`;
    if (version.lastAccessedDate !== undefined && !isTime(version.lastAccessedDate))
      return `${where}.lastAccessedDate is not a number of seconds.`;
    if (!Array.isArray(version.stages) || !version.stages.every((s) => typeof s === 'string' && s !== ''))
      return `${where}.stages is missing or not a list of labels.`;
    for (const stage of version.stages as string[]) {
      // One version per label is the rule every rotation depends on.
      if (labels.has(stage)) return `${where} has label ${stage}, which an earlier version also has.`;
      labels.add(stage);
    }
    if (version.value !== undefined && !isValue(version.value))
      return `${where}.value is not {kind: "string", text} or {kind: "binary", base64}.`;
  }
  return undefined;
}

function isValue(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (value.kind === 'string') return typeof value.text === 'string';
  if (value.kind === 'binary') return typeof value.base64 === 'string';
  return false;
}

function isTagList(tags: unknown): boolean {
  return (
    Array.isArray(tags) &&
    tags.every((t) => isObject(t) && typeof t.Key === 'string' && typeof t.Value === 'string')
  );
}

function isTime(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
