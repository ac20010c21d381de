import fc from 'fast-check';

/** Random call sequences for the staging-label invariants, shared by the store and HTTP runs. */
export const LABELS = ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS', 'A', 'B'] as const;
const TOKEN_POOL = 8;

/** What a rotation function does in a sequence: the normal four steps or one of the ways it breaks. */
export type LambdaBehaviour = 'complete' | 'fail-at-create' | 'fail-after-create' | 'finish-without-move';

export type LabelCommand =
  | { kind: 'put'; token: number; value: number; stages?: string[] }
  /** `removeFrom: 'holder'` names whichever version holds the label at that moment. */
  | { kind: 'move'; label: string; moveTo?: number; removeFrom?: number | 'holder' }
  | { kind: 'rotate'; token: number; immediately: boolean; behaviour: LambdaBehaviour }
  | { kind: 'cancel' };

/** Tokens come from a small pool so that sequences reuse them and hit the idempotency rules. */
export function tokenFor(index: number): string {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

const tokenIndex = fc.integer({ min: 0, max: TOKEN_POOL - 1 });

export const labelCommand: fc.Arbitrary<LabelCommand> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        kind: fc.constant('put' as const),
        token: tokenIndex,
        value: fc.integer({ min: 0, max: 2 }),
        stages: fc.uniqueArray(fc.constantFrom(...LABELS), { minLength: 1, maxLength: 3 }),
      },
      { requiredKeys: ['kind', 'token', 'value'] },
    ),
  },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        kind: fc.constant('move' as const),
        label: fc.constantFrom(...LABELS),
        moveTo: tokenIndex,
        removeFrom: fc.oneof(
          { weight: 3, arbitrary: fc.constant('holder' as const) },
          { weight: 1, arbitrary: tokenIndex },
        ),
      },
      { requiredKeys: ['kind', 'label'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('rotate' as const),
      token: tokenIndex,
      immediately: fc.boolean(),
      behaviour: fc.constantFrom<LambdaBehaviour>(
        'complete',
        'fail-at-create',
        'fail-after-create',
        'finish-without-move',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
);

/** The RemoveFromVersionId a move command stands for, given who holds the label now. */
export function removeFromFor(
  command: Extract<LabelCommand, { kind: 'move' }>,
  holder: string | undefined,
): string | undefined {
  if (command.removeFrom === 'holder') return holder;
  return command.removeFrom === undefined ? undefined : tokenFor(command.removeFrom);
}

export const labelSequence = fc.record({
  startsWithValue: fc.boolean(),
  commands: fc.array(labelCommand, { minLength: 1, maxLength: 25 }),
});

/** The invariants: each label on at most one version; AWSCURRENT exists once any value does. */
export function labelViolations(
  versions: ReadonlyArray<{ versionId: string; stages: string[]; hasValue: boolean }>,
): string[] {
  const problems: string[] = [];
  const holders = new Map<string, string[]>();
  for (const version of versions) {
    if (new Set(version.stages).size !== version.stages.length) {
      problems.push(`version ${version.versionId} lists a label twice: ${version.stages.join(',')}`);
    }
    for (const label of version.stages)
      holders.set(label, [...(holders.get(label) ?? []), version.versionId]);
  }
  for (const [label, ids] of holders) {
    if (ids.length > 1) problems.push(`label ${label} is on ${ids.length} versions: ${ids.join(', ')}`);
  }
  if (versions.some((v) => v.hasValue) && !holders.has('AWSCURRENT')) {
    problems.push('a value exists but no version is AWSCURRENT');
  }
  if (new Set(versions.map((v) => v.versionId)).size !== versions.length)
    problems.push('duplicate version ids');
  return problems;
}
