/** A rotation that stopped part-way: a version holds AWSPENDING but not AWSCURRENT. */
export interface StuckRotation {
  readonly pendingVersionId: string;
  /** The version holding AWSCURRENT; undefined only for a secret with no current version. */
  readonly currentVersionId?: string;
}

/**
 * Finds a stuck rotation in DescribeSecret's VersionIdsToStages. Secrets Manager refuses to start
 * the next rotation while one exists (and so does `rotor rotate`). A version holding both labels
 * is a finished rotation whose AWSPENDING the service has not yet removed: not stuck.
 */
export function findStuckRotation(
  stages: Readonly<Record<string, readonly string[] | undefined>>,
): StuckRotation | undefined {
  const entries = Object.entries(stages);
  const pending = entries.find(([, s]) => s?.includes('AWSPENDING') && !s.includes('AWSCURRENT'));
  if (pending === undefined) return undefined;
  const current = entries.find(([, s]) => s?.includes('AWSCURRENT'));
  return { pendingVersionId: pending[0], ...(current ? { currentVersionId: current[0] } : {}) };
}
