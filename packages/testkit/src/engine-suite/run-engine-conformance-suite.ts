import type { StrategyName } from '@rotor/rotation-core';
import type { DatabaseServer } from '../database-server';
import type { TargetName } from '../database-targets';
import { describeWithDatabase } from '../jest/describe-with-database';
import { badInputCases } from './bad-input-cases';
import { type AppUser, ConformanceHarness } from './conformance-harness';
import type { EngineTestAdapter } from './engine-test-adapter';
import type { FaultPoint } from './fault-injection';
import { describeManagedSuperuser, type ManagedSuperuserOptions } from './managed-superuser-cases';

export interface EngineConformanceOptions extends ConformanceTestOptions {
  readonly target: TargetName;
  createAdapter(server: DatabaseServer): EngineTestAdapter | Promise<EngineTestAdapter>;
}

export interface ConformanceTestOptions {
  /**
   * Whether the engine resolves superuser secrets that RDS manages (its managedSecretResolutions
   * include rds-instance or rds-cluster), which the managed-superuser cases exercise through the
   * emulator's RDS API; with options, which resolutions, the Engine value RDS reports and what
   * the cases run against. Default true (both resolutions).
   */
  readonly managedSuperuser?: boolean | ManagedSuperuserOptions;
}

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
const FAULTS: [FaultPoint, (typeof STEPS)[number]][] = [
  ['after-put-pending', 'createSecret'],
  ['after-database-change', 'setSecret'],
  ['in-test-query', 'testSecret'],
  ['after-stage-move', 'finishSecret'],
];

/**
 * The suite every engine must pass, run against a real server through the emulator's
 * RotateSecret and the real handlers. Each engine calls it from a tiny test file with its adapter.
 */
export function runEngineConformanceSuite(options: EngineConformanceOptions): void {
  describeWithDatabase(options.target, `${options.target} engine conformance`, (server) =>
    defineEngineConformanceTests(() => options.createAdapter(server()), options),
  );
}

/**
 * The suite's tests, inside the caller's `describe`, against whatever `createAdapter` connects to.
 * For a protocol test double, where no real server can run (runEngineConformanceSuite is for
 * real servers).
 */
export function defineEngineConformanceTests(
  createAdapter: () => EngineTestAdapter | Promise<EngineTestAdapter>,
  options: ConformanceTestOptions = {},
): void {
  {
    let h: ConformanceHarness;

    beforeAll(async () => {
      h = new ConformanceHarness(await createAdapter());
      await h.start();
    }, 120_000);
    afterAll(async () => {
      await h?.stop();
    });
    afterEach(async () => {
      h.faults.disarm();
      await h.assertNoSecretsLogged();
    });

    /** Fails with the handler's own error lines when a rotation did not complete. */
    const expectCompleted = async (arn: string, token: string, previous: string) => {
      const stages = await h.stages(arn);
      if (!stages[token]?.includes('AWSCURRENT')) {
        const failures = h.logs.records().filter((r) => r.message === 'step failed');
        throw new Error(
          `rotation did not complete; stages ${JSON.stringify(stages)}; last failure: ${JSON.stringify(failures.at(-1))}`,
        );
      }
      expect(stages[previous]).toEqual(['AWSPREVIOUS']);
      for (const [version, labels] of Object.entries(stages)) {
        if (labels.includes('AWSPENDING')) expect(version).toBe(token);
      }
    };
    const currentVersion = async (arn: string) =>
      Object.entries(await h.stages(arn)).find(([, s]) => s.includes('AWSCURRENT'))?.[0] as string;

    /** RotateSecret, then the checks every completed rotation must pass; returns the new version. */
    const rotateAndCheck = async (arn: string, strategy: StrategyName) => {
      const previous = await currentVersion(arn);
      const token = await h.rotate(arn, strategy);
      await expectCompleted(arn, token, previous);
      return token;
    };

    const driveByHand = async (strategy: StrategyName, arn: string, fault?: FaultPoint, rerun = false) => {
      const token = await h.beginRotation(arn);
      for (const step of STEPS) {
        if (fault && FAULTS.find(([f]) => f === fault)?.[1] === step) {
          h.faults.arm(fault);
          await expect(h.step(strategy, arn, token, step)).rejects.toThrow(/injected fault/);
        }
        await h.step(strategy, arn, token, step);
        if (rerun) await h.step(strategy, arn, token, step);
      }
      return token;
    };

    describe('single-user', () => {
      let user: AppUser;
      let arn: string;
      beforeEach(async () => {
        user = await h.appUser();
        arn = await h.createSecret('app', h.secretFor(user, { custom: 'kept', nested: { a: 1 } }));
      });

      it('rotates end to end: the new password logs in, the old one is rejected, stages move', async () => {
        await rotateAndCheck(arn, 'single-user');
        expect(Object.values(await h.stages(arn)).flat()).not.toContain('AWSPENDING');
        const current = await h.value(arn);
        expect(current).toMatchObject({ username: user.username, custom: 'kept', nested: { a: 1 } });
        expect(current.password).not.toBe(user.password);
        expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
        expect(await h.adapter.canRead(user.username, current.password as string, user.table)).toBe(true);
        expect(h.logs.records().some((r) => r.message === 'password changed' && r.step === 'setSecret')).toBe(
          true,
        );
      });

      it('rotates again right after: nothing is left behind to block the next rotation', async () => {
        await rotateAndCheck(arn, 'single-user');
        await rotateAndCheck(arn, 'single-user');
        const current = await h.value(arn);
        expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
      });

      it('re-running every step right after it succeeded changes nothing', async () => {
        const previous = await currentVersion(arn);
        const token = await driveByHand('single-user', arn, undefined, true);
        await expectCompleted(arn, token, previous);
        // and once more after the whole rotation: every step sees AWSCURRENT and does nothing
        for (const step of STEPS) await h.step('single-user', arn, token, step);
        const current = await h.value(arn);
        expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
      });

      it.each(FAULTS)('recovers when it crashes %s and the service retries the step', async (fault) => {
        const previous = await currentVersion(arn);
        const token = await driveByHand('single-user', arn, fault);
        await expectCompleted(arn, token, previous);
        const current = await h.value(arn);
        expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
        // the next scheduled rotation is not blocked
        await rotateAndCheck(arn, 'single-user');
      });

      it('two rotations started at once: one wins, the other is refused, the state stays consistent', async () => {
        const results = await Promise.allSettled([
          h.rotate(arn, 'single-user'),
          h.rotate(arn, 'single-user'),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won.length).toBeGreaterThanOrEqual(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(String(r.reason)).toMatch(/previous rotation isn't complete/);
        }
        const stages = await h.stages(arn);
        expect(Object.values(stages).filter((s) => s.includes('AWSCURRENT'))).toHaveLength(1);
        expect(Object.values(stages).flat()).not.toContain('AWSPENDING');
        const current = await h.value(arn);
        expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
      });

      it('logs in with AWSPREVIOUS when the database still has the previous password', async () => {
        await rotateAndCheck(arn, 'single-user');
        await h.adapter.setPassword(user.username, user.password); // the database went back; the secret did not
        await rotateAndCheck(arn, 'single-user');
        const current = await h.value(arn);
        expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
        expect(
          h.logs.records().some((r) => r.message === 'password changed' && r.loggedInWith === 'AWSPREVIOUS'),
        ).toBe(true);
      });
    });

    describe('alternating users', () => {
      let user: AppUser;
      let arn: string;
      let superArn: string;
      const clone = () => `${user.username}_clone`;
      beforeEach(async () => {
        user = await h.appUser('rot_alt');
        superArn = await h.superuserSecret();
        arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn, custom: 'kept' }));
      });

      it('creates <user>_clone with the original privileges; both users log in', async () => {
        await rotateAndCheck(arn, 'alternating-users');
        const current = await h.value(arn);
        expect(current).toMatchObject({ username: clone(), masterarn: superArn, custom: 'kept' });
        expect(await h.adapter.userExists(clone())).toBe(true);
        expect(await h.adapter.canLogin(clone(), current.password as string)).toBe(true);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
        expect(await h.adapter.canRead(clone(), current.password as string, user.table)).toBe(true);
      });

      it('alternates between the two users on each rotation', async () => {
        await rotateAndCheck(arn, 'alternating-users');
        const clonePassword = (await h.value(arn)).password as string;
        await rotateAndCheck(arn, 'alternating-users');
        const back = await h.value(arn);
        expect(back.username).toBe(user.username);
        expect(await h.adapter.canLogin(user.username, back.password as string)).toBe(true);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
        expect(await h.adapter.canLogin(clone(), clonePassword)).toBe(true); // AWSPREVIOUS still works
        await rotateAndCheck(arn, 'alternating-users');
        const again = await h.value(arn);
        expect(again.username).toBe(clone());
        expect(await h.adapter.canLogin(clone(), again.password as string)).toBe(true);
        expect(await h.adapter.canLogin(clone(), clonePassword)).toBe(false);
        expect(await h.adapter.canLogin(user.username, back.password as string)).toBe(true);
      });

      it("keeps the clone's privileges equal to the original's when grants change", async () => {
        await rotateAndCheck(arn, 'alternating-users');
        const clonePassword = (await h.value(arn)).password as string;
        expect(await h.adapter.canInsert(clone(), clonePassword, user.table)).toBe(false);

        await h.adapter.setInsertPrivilege(user.username, user.table, true);
        await rotateAndCheck(arn, 'alternating-users');
        await rotateAndCheck(arn, 'alternating-users');
        const clonePassword2 = (await h.value(arn)).password as string;
        expect(await h.adapter.canInsert(clone(), clonePassword2, user.table)).toBe(true);

        await h.adapter.setInsertPrivilege(user.username, user.table, false);
        await rotateAndCheck(arn, 'alternating-users');
        expect(await h.adapter.canInsert(clone(), clonePassword2, user.table)).toBe(false);
        expect(await h.adapter.canRead(clone(), clonePassword2, user.table)).toBe(true);
      });

      it('objects created by the clone belong to the original user', async () => {
        await rotateAndCheck(arn, 'alternating-users');
        const ownerOf = h.adapter.ownerOfTableCreatedBy?.bind(h.adapter);
        if (!ownerOf) {
          // Engines without object ownership tied to users (MySQL) have nothing to check here.
          expect(h.adapter.ownerOfTableCreatedBy).toBeUndefined();
          return;
        }
        const current = await h.value(arn);
        expect(await ownerOf(clone(), current.password as string, `${user.table}_c`)).toBe(user.username);
      });

      it('re-running every step right after it succeeded changes nothing', async () => {
        const previous = await currentVersion(arn);
        const token = await driveByHand('alternating-users', arn, undefined, true);
        await expectCompleted(arn, token, previous);
        const current = await h.value(arn);
        expect(await h.adapter.canLogin(clone(), current.password as string)).toBe(true);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
      });

      it.each(FAULTS)('recovers when it crashes %s and the service retries the step', async (fault) => {
        const previous = await currentVersion(arn);
        const token = await driveByHand('alternating-users', arn, fault);
        await expectCompleted(arn, token, previous);
        const current = await h.value(arn);
        expect(await h.adapter.canLogin(clone(), current.password as string)).toBe(true);
        await rotateAndCheck(arn, 'alternating-users');
      });

      it('refuses a superuser secret for another host and changes nothing', async () => {
        const otherSuper = await h.superuserSecret({ host: 'db.other-host.invalid' });
        const bad = await h.createSecret('app', h.secretFor(user, { masterarn: otherSuper }));
        const token = await h.beginRotation(bad);
        await h.step('alternating-users', bad, token, 'createSecret');
        const before = await h.snapshot(bad);
        await expect(h.step('alternating-users', bad, token, 'setSecret')).rejects.toMatchObject({
          name: 'UnsafeRotationError',
          message: expect.stringMatching(/superuser secret .* is for db\.other-host\.invalid:/),
        });
        expect(await h.snapshot(bad)).toEqual(before);
        expect(await h.adapter.userExists(clone())).toBe(false);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
      });

      // Defect 8: same host, another port is another database server.
      it('refuses a superuser secret for the same host on another port and changes nothing', async () => {
        const su = h.adapter.superuser();
        const otherPort = su.port === 65535 ? su.port - 1 : su.port + 1;
        const otherSuper = await h.superuserSecret({ port: otherPort });
        const bad = await h.createSecret('app', h.secretFor(user, { masterarn: otherSuper }));
        const token = await h.beginRotation(bad);
        await h.step('alternating-users', bad, token, 'createSecret');
        const before = await h.snapshot(bad);
        await expect(h.step('alternating-users', bad, token, 'setSecret')).rejects.toMatchObject({
          name: 'UnsafeRotationError',
          message: expect.stringContaining(
            `is for ${su.host}:${otherPort} but the rotated secret is for ${su.host}:${su.port}`,
          ),
        });
        expect(await h.snapshot(bad)).toEqual(before);
        expect(await h.adapter.userExists(clone())).toBe(false);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
      });

      // Defect 1: the rotated user (or its clone) is the superuser-secret user.
      it.each([
        ['the superuser itself', (name: string) => name],
        ["the superuser's clone", (name: string) => `${name}_clone`],
      ])('refuses an app secret for %s before anything changes', async (_label, rotated) => {
        const su = h.adapter.superuser();
        const masterarn = await h.superuserSecret();
        const username = rotated(su.username);
        const password = username === su.username ? su.password : h.newPassword();
        const bad = await h.createSecret('app', h.secretFor({ username, password }, { masterarn }));
        const token = await h.beginRotation(bad);
        await h.step('alternating-users', bad, token, 'createSecret');
        const before = await h.snapshot(bad);
        await expect(h.step('alternating-users', bad, token, 'setSecret')).rejects.toMatchObject({
          name: 'UnsafeRotationError',
          message: expect.stringMatching(/must never rotate the superuser's own password/),
        });
        expect(await h.snapshot(bad)).toEqual(before);
        expect(await h.adapter.canLogin(su.username, su.password)).toBe(true);
        expect(await h.adapter.userExists(`${su.username}_clone`)).toBe(false);
      });

      it('refuses to act when the AWSCURRENT credentials do not log in (no AWSPREVIOUS fallback)', async () => {
        const token = await h.beginRotation(arn);
        await h.step('alternating-users', arn, token, 'createSecret');
        await h.adapter.setPassword(user.username, h.newPassword());
        await expect(h.step('alternating-users', arn, token, 'setSecret')).rejects.toMatchObject({
          name: 'LoginFailedError',
          message: expect.stringMatching(/AWSCURRENT credentials do not log in/),
        });
        expect(await h.adapter.userExists(clone())).toBe(false);
      });
    });

    if (options.managedSuperuser !== false)
      describeManagedSuperuser(
        () => h,
        typeof options.managedSuperuser === 'object' ? options.managedSuperuser : {},
      );

    describe('bad input is refused with a typed error and changes nothing', () => {
      it.each(badInputCases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
        const user = await h.appUser('rot_bad');
        const setup = await testCase.setup(h, user);
        const before = setup.arn ? await h.snapshot(setup.arn) : undefined;
        const call =
          setup.invoke ??
          (() =>
            h.step(
              testCase.strategy,
              setup.arn as string,
              setup.token as string,
              testCase.step ?? 'createSecret',
            ));
        await expect(call()).rejects.toMatchObject({
          name: testCase.error,
          message: expect.stringMatching(testCase.message),
        });
        if (setup.arn) expect(await h.snapshot(setup.arn)).toEqual(before);
        expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
        expect(await h.adapter.canRead(user.username, user.password, user.table)).toBe(true);
        expect(await h.adapter.userExists(`${user.username}_clone`)).toBe(false);
      });
    });
  }
}
