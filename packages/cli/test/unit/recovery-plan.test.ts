import { planRecovery, type VersionFinding } from '../../src/recover/recovery-plan';
import { findStuckRotation } from '../../src/recover/stuck-rotation';

const stuck = { pendingVersionId: 'p', currentVersionId: 'c' };
const at = { host: 'db', port: 5432 };
const logsIn: VersionFinding = { status: 'logs-in', username: 'app', ...at };
const refused: VersionFinding = {
  status: 'refused',
  username: 'app',
  ...at,
  detail: 'authentication failure',
};
const unknown: VersionFinding = { status: 'unknown', username: 'app', detail: 'network failure' };
const unusable: VersionFinding = { status: 'unusable', detail: 'the AWSPENDING version has no value' };

// The decisions on real servers are in test/integration/recover-command.test.ts; these are the
// cases a real server cannot produce on demand.
describe('planRecovery', () => {
  it('keeps a working AWSCURRENT whatever AWSPENDING does', () => {
    for (const pending of [logsIn, refused, unknown, unusable]) {
      expect(planRecovery(stuck, logsIn, pending)).toMatchObject({
        decision: 'remove-pending',
        actions: [{ versionStage: 'AWSPENDING', removeFromVersionId: 'p' }],
      });
    }
  });

  it('finishes the rotation only when the server refused AWSCURRENT and accepts AWSPENDING', () => {
    expect(planRecovery(stuck, refused, logsIn).actions).toEqual([
      { versionStage: 'AWSCURRENT', moveToVersionId: 'p', removeFromVersionId: 'c' },
      { versionStage: 'AWSPENDING', removeFromVersionId: 'p' },
    ]);
    // Not reached or unreadable is not "stopped working": nothing is moved.
    expect(planRecovery(stuck, unknown, logsIn)).toMatchObject({ decision: 'refuse', actions: [] });
    expect(planRecovery(stuck, unusable, logsIn).decision).toBe('refuse');
  });

  it('refuses to move AWSCURRENT to another server', () => {
    const elsewhere: VersionFinding = { ...logsIn, host: 'other' } as VersionFinding;
    expect(planRecovery(stuck, refused, elsewhere)).toMatchObject({
      decision: 'refuse',
      reason: expect.stringContaining('another server'),
    });
  });

  it('says when the refusal is because a version could not be checked, not because it was refused', () => {
    expect(planRecovery(stuck, unknown, unknown).reason).toMatch(
      /^no version is known to work: the database was not reached/,
    );
    expect(planRecovery(stuck, refused, refused).reason).toMatch(
      /^neither AWSCURRENT nor AWSPENDING logs in/,
    );
  });

  it('refuses when neither logs in', () => {
    for (const [current, pending] of [
      [refused, refused],
      [refused, unusable],
      [unknown, unknown],
    ] as const) {
      expect(planRecovery(stuck, current, pending)).toMatchObject({ decision: 'refuse', actions: [] });
    }
  });
});

describe('findStuckRotation', () => {
  it('finds AWSPENDING without AWSCURRENT, and ignores a finished rotation', () => {
    expect(findStuckRotation({ c: ['AWSCURRENT'], p: ['AWSPENDING'], o: ['AWSPREVIOUS'] })).toEqual(stuck);
    expect(findStuckRotation({ c: ['AWSCURRENT', 'AWSPENDING'], o: ['AWSPREVIOUS'] })).toBeUndefined();
    expect(findStuckRotation({ c: ['AWSCURRENT'] })).toBeUndefined();
  });
});
