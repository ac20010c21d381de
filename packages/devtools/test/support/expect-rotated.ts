import type { RotationOutcome } from '../../src/demo/zip-rotation-rig';

/**
 * A rotation through a built zip completed: the four steps succeeded, the new version is current,
 * the old one previous, and nothing is left pending. With `secretsManagerCalls`, the steps made
 * exactly that many Secrets Manager calls.
 */
export function expectRotated(outcome: RotationOutcome, secretsManagerCalls?: number): void {
  expect(outcome.failure).toBeUndefined();
  expect(outcome.steps.map((s) => [s.step, s.ok])).toEqual([
    ['createSecret', true],
    ['setSecret', true],
    ['testSecret', true],
    ['finishSecret', true],
  ]);
  if (secretsManagerCalls !== undefined) {
    expect(outcome.steps.reduce((sum, s) => sum + s.secretsManagerCalls, 0)).toBe(secretsManagerCalls);
  }
  const previousCurrent = outcome.before.find((v) => v.stages.includes('AWSCURRENT'))?.versionId;
  expect(outcome.after).toEqual(
    expect.arrayContaining([
      { versionId: outcome.versionId, stages: ['AWSCURRENT'] },
      { versionId: previousCurrent, stages: ['AWSPREVIOUS'] },
    ]),
  );
  expect(outcome.after.flatMap((v) => v.stages)).not.toContain('AWSPENDING');
  expect(outcome.ok).toBe(true);
}
