// A full rotation through each engine's built zip, unpacked and run by the local Secrets Manager the
// way Lambda runs it (`single-user.handler`, `alternating-users.handler`), driven by RotateSecret
// from the real SDK against a real database server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEngineZip, findRepoRoot } from '@rotor/cli';
import type { EngineModule, StrategyName } from '@rotor/rotation-core';
import {
  adapterSecret,
  describeWithDatabase,
  type EngineTestAdapter,
  isTargetName,
  type LoginResult,
  type TargetName,
  uniqueName,
} from '@rotor/testkit';
import { newPassword } from '../../src/demo/new-password';
import { type RotationOutcome, ZipRotationRig } from '../../src/demo/zip-rotation-rig';
import { DEV_ENGINES, testAdapterFactory } from '../../src/dev-engines';
import { expectRotated } from '../support/expect-rotated';

const repoRoot = findRepoRoot(__dirname);
// The README's numbers: createSecret 4, setSecret 3 (alternating 4), testSecret 2, finishSecret 2.
const EXPECTED_CALLS: Record<StrategyName, number> = { 'single-user': 12, 'alternating-users': 13 };

interface Subject {
  readonly target: TargetName;
  readonly engine: EngineModule;
}

/** Each engine against its first test target. */
const subjects: Subject[] = DEV_ENGINES.flatMap((engine) => {
  const target = engine.testing.targets.find(isTargetName);
  return target === undefined ? [] : [{ target, engine }];
});

interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** `extraCalls`: Secrets Manager calls beyond the README's (a managed superuser's DescribeSecret, 1). */
/** Rotated, with the strategy's Secrets Manager calls (plus `extraCalls`, e.g. reading tags). */
function expectRotatedWithCalls(outcome: RotationOutcome, extraCalls = 0): void {
  expectRotated(outcome, EXPECTED_CALLS[outcome.strategy] + extraCalls);
}

for (const subject of subjects) {
  describeWithDatabase(subject.target, `a rotation through the built ${subject.target} zip`, (server) => {
    let work: string;
    let database: EngineTestAdapter;
    let users: { admin: Credentials; app: Credentials; table: string };
    const login = (user: Credentials): Promise<LoginResult> => {
      if (database.login === undefined) throw new Error(`${database.label}: the adapter has no login`);
      return database.login(user.username, user.password, 'orders');
    };
    let rig: ZipRotationRig;
    /** The app user's credentials as they are now (the single-user rotation changes them). */
    let appNow: { username: string; password: string };
    /** Every password handed out or rotated in; none may appear in the handlers' output. */
    const passwords = new Set<string>();

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'rotor-zip-rotation-'));
      database = await testAdapterFactory(subject.engine)(server());
      const zip = await buildEngineZip({
        module: subject.engine,
        repoRoot,
        outDir: work,
      });
      // Short names: the clone (`<app>_clone`) stays within MySQL's default 16-character limit.
      users = {
        admin: { username: uniqueName('ad'), password: newPassword() },
        app: { username: uniqueName('ap'), password: newPassword() },
        table: 'orders',
      };
      if (database.createAdminUser === undefined) throw new Error('the adapter has no createAdminUser');
      await database.createAppUser(users.app.username, users.app.password, users.table);
      await database.createAdminUser(users.admin.username, users.admin.password, users.app.username);
      passwords.add(users.admin.password).add(users.app.password);
      appNow = users.app;
      rig = await ZipRotationRig.start(zip.file);
    }, 120_000);

    afterAll(async () => {
      await rig?.stop();
      if (users) {
        await database.dropAppUser(users.app.username, users.table);
        await database.dropAppUser(users.admin.username, users.table);
      }
      await database?.cleanup?.();
      rmSync(work, { recursive: true, force: true });
    });

    async function current(secretId: string): Promise<{ username: string; password: string }> {
      const value = await rig.currentValue(secretId);
      passwords.add(String(value.password));
      return { username: String(value.username), password: String(value.password) };
    }

    it('single-user: the new password logs in and reads the table, the old one is refused', async () => {
      const secret = await rig.createSecret(uniqueName('app-single'), adapterSecret(database, users.app));
      const outcome = await rig.rotate(secret, 'single-user');
      expectRotatedWithCalls(outcome);

      const rotated = await current(secret);
      expect(rotated.username).toBe(users.app.username);
      expect(rotated.password).not.toBe(users.app.password);
      appNow = rotated;
      expect(await login(rotated)).toEqual({ loggedIn: true, rows: 3 });
      expect(await login(users.app)).toMatchObject({ loggedIn: false });
    });

    it('alternating users: the clone becomes current and logs in; the next rotation returns to the original', async () => {
      const master = await rig.createSecret(uniqueName('admin'), adapterSecret(database, users.admin));
      const secret = await rig.createSecret(
        uniqueName('app-alt'),
        adapterSecret(database, appNow, { masterarn: master }),
      );

      const first = await rig.rotate(secret, 'alternating-users');
      expectRotatedWithCalls(first);
      const clone = await current(secret);
      expect(clone.username).toBe(`${users.app.username}_clone`);
      expect(await login(clone)).toEqual({ loggedIn: true, rows: 3 });

      const second = await rig.rotate(secret, 'alternating-users');
      expectRotatedWithCalls(second);
      const original = await current(secret);
      expect(original.username).toBe(users.app.username);
      expect(await login(original)).toEqual({ loggedIn: true, rows: 3 });
      // AWSPREVIOUS (the clone) keeps working until the next rotation; the original's password
      // from before the first alternating rotation is gone.
      expect(await login(clone)).toEqual({ loggedIn: true, rows: 3 });
      expect(original.password).not.toBe(appNow.password);
      expect(await login(appNow)).toMatchObject({ loggedIn: false });
      appNow = original;
    });

    // Only for engines that resolve RDS DB instances (their zips carry rds-sdk.js).
    const itRdsInstance = (subject.engine.engine.managedSecretResolutions ?? []).includes('rds-instance')
      ? it
      : it.skip;
    itRdsInstance(
      'alternating users with a superuser secret RDS manages: the zip resolves its host through the local RDS API',
      async () => {
        const { host, port } = database.superuser();
        const topology = rig.emulator.replaceTopology({
          dbInstances: [{ id: 'rotor-zip', engine: database.engineValue, address: host, port }],
        });
        const master = await rig.createSecret(
          uniqueName('rds-master'),
          { username: users.admin.username, password: users.admin.password },
          { 'aws:rds:primaryDBInstanceArn': topology.dbInstances[0]?.arn as string },
        );
        const secret = await rig.createSecret(
          uniqueName('app-rds'),
          adapterSecret(database, appNow, { masterarn: master }),
        );
        const outcome = await rig.rotate(secret, 'alternating-users');
        // One call more: the superuser secret's tags (DescribeSecret).
        expectRotatedWithCalls(outcome, 1);
        expect(
          rig.output
            .records()
            .find((r) => r.message === 'superuser resolved' && r.versionId === outcome.versionId),
        ).toMatchObject({
          resolution: 'rds-instance',
          found: expect.stringContaining('RDS DB instance rotor-zip'),
        });
        const rotated = await current(secret);
        expect(await login(rotated)).toEqual({ loggedIn: true, rows: 3 });
      },
    );

    it('never lets a password reach the handlers’ output', () => {
      const text = rig.output.text;
      expect(text).toContain('step finished');
      for (const password of passwords) expect(text.includes(password)).toBe(false);
    });
  });
}
