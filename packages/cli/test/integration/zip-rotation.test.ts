// A full rotation through each engine's built zip, unpacked and run by the local Secrets Manager the
// way Lambda runs it (`single-user.handler`, `alternating-users.handler`), driven by RotateSecret
// from the real SDK against a real database server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StrategyName } from '@rotor/rotation-core';
import { type DatabaseServer, describeWithDatabase, type TargetName, uniqueName } from '@rotor/testkit';
import type { DemoDatabase, DemoUsers } from '../../src/demo/demo-database';
import { MysqlDemoDatabase } from '../../src/demo/mysql-demo-database';
import { PostgresDemoDatabase } from '../../src/demo/postgres-demo-database';
import { type RotationOutcome, ZipRotationRig } from '../../src/demo/zip-rotation-rig';
import { engineModuleNamed } from '../../src/engines/engine-registry';
import { buildEngineZip } from '../../src/packaging/build-engine-zip';
import { findRepoRoot } from '../../src/packaging/repo-root';

const repoRoot = findRepoRoot(__dirname);
// The README's numbers: createSecret 4, setSecret 3 (alternating 4), testSecret 2, finishSecret 2.
const EXPECTED_CALLS: Record<StrategyName, number> = { 'single-user': 11, 'alternating-users': 12 };

interface Subject {
  readonly target: TargetName;
  readonly database: (server: DatabaseServer) => DemoDatabase;
}

const subjects: Subject[] = [
  { target: 'postgres', database: (server) => new PostgresDemoDatabase(server) },
  { target: 'mariadb', database: (server) => new MysqlDemoDatabase(server) },
];

function expectRotated(outcome: RotationOutcome): void {
  expect(outcome.failure).toBeUndefined();
  expect(outcome.steps.map((s) => [s.step, s.ok])).toEqual([
    ['createSecret', true],
    ['setSecret', true],
    ['testSecret', true],
    ['finishSecret', true],
  ]);
  expect(outcome.steps.reduce((sum, s) => sum + s.secretsManagerCalls, 0)).toBe(
    EXPECTED_CALLS[outcome.strategy],
  );
  const previousCurrent = outcome.before.find((v) => v.stages.includes('AWSCURRENT'))?.versionId;
  // The new version is current, the old one previous, and nothing is left pending.
  expect(outcome.after).toEqual(
    expect.arrayContaining([
      { versionId: outcome.versionId, stages: ['AWSCURRENT'] },
      { versionId: previousCurrent, stages: ['AWSPREVIOUS'] },
    ]),
  );
  expect(outcome.after.flatMap((v) => v.stages)).not.toContain('AWSPENDING');
  expect(outcome.ok).toBe(true);
}

for (const subject of subjects) {
  describeWithDatabase(subject.target, `a rotation through the built ${subject.target} zip`, (server) => {
    let work: string;
    let database: DemoDatabase;
    let users: DemoUsers;
    let rig: ZipRotationRig;
    /** The app user's credentials as they are now (the single-user rotation changes them). */
    let appNow: { username: string; password: string };
    /** Every password handed out or rotated in; none may appear in the handlers' output. */
    const passwords = new Set<string>();

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'rotor-zip-rotation-'));
      database = subject.database(server());
      const zip = await buildEngineZip({
        module: engineModuleNamed(database.zipEngine),
        repoRoot,
        outDir: work,
      });
      // Short names: the clone (`<app>_clone`) stays within MySQL's default 16-character limit.
      users = await database.setUp({
        admin: uniqueName('ad'),
        app: uniqueName('ap'),
        database: uniqueName('rot_db'),
        table: 'orders',
      });
      passwords.add(users.admin.password).add(users.app.password);
      appNow = users.app;
      rig = await ZipRotationRig.start(zip.file);
    }, 120_000);

    afterAll(async () => {
      await rig?.stop();
      if (users) await database.tearDown(users);
      rmSync(work, { recursive: true, force: true });
    });

    async function current(secretId: string): Promise<{ username: string; password: string }> {
      const value = await rig.currentValue(secretId);
      passwords.add(String(value.password));
      return { username: String(value.username), password: String(value.password) };
    }

    it('single-user: the new password logs in and reads the table, the old one is refused', async () => {
      const secret = await rig.createSecret(uniqueName('app-single'), database.secretFor(users, users.app));
      const outcome = await rig.rotate(secret, 'single-user');
      expectRotated(outcome);

      const rotated = await current(secret);
      expect(rotated.username).toBe(users.app.username);
      expect(rotated.password).not.toBe(users.app.password);
      appNow = rotated;
      expect(await database.login(users, rotated)).toEqual({ loggedIn: true, rows: 3 });
      expect(await database.login(users, users.app)).toMatchObject({ loggedIn: false });
    });

    it('alternating users: the clone becomes current and logs in; the next rotation returns to the original', async () => {
      const master = await rig.createSecret(uniqueName('admin'), database.secretFor(users, users.admin));
      const secret = await rig.createSecret(uniqueName('app-alt'), database.secretFor(users, appNow, master));

      const first = await rig.rotate(secret, 'alternating-users');
      expectRotated(first);
      const clone = await current(secret);
      expect(clone.username).toBe(`${users.app.username}_clone`);
      expect(await database.login(users, clone)).toEqual({ loggedIn: true, rows: 3 });

      const second = await rig.rotate(secret, 'alternating-users');
      expectRotated(second);
      const original = await current(secret);
      expect(original.username).toBe(users.app.username);
      expect(await database.login(users, original)).toEqual({ loggedIn: true, rows: 3 });
      // AWSPREVIOUS (the clone) keeps working until the next rotation; the original's password
      // from before the first alternating rotation is gone.
      expect(await database.login(users, clone)).toEqual({ loggedIn: true, rows: 3 });
      expect(original.password).not.toBe(appNow.password);
      expect(await database.login(users, appNow)).toMatchObject({ loggedIn: false });
    });

    it('never lets a password reach the handlers’ output', () => {
      const text = rig.output.text;
      expect(text).toContain('step finished');
      for (const password of passwords) expect(text.includes(password)).toBe(false);
    });
  });
}
