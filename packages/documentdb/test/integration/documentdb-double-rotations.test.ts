import { Deadline, type EngineContext, type StrategyName } from '@rotor/rotation-core';
import type { AppUser } from '@rotor/testkit';
import { closeConnection } from '../../src/documentdb-connection';
import { documentDbEngine } from '../../src/documentdb-engine';
import { type DoubleRig, skipLine, startDoubleRig, tlsAvailable } from './double-rig';

// DocumentDB-specific rotations and refusals through the Secrets Manager emulator (real SDK, real
// handlers) against the testkit's MongoDB PROTOCOL DOUBLE in its DocumentDB flavour, over verified
// TLS. Every refusal is checked to leave the secret (all versions and stages) and the users as they
// were. No MongoDB or DocumentDB server can run here; the same engine code runs against a real one
// in documentdb-conformance.test.ts where one is given.
skipLine('documentdb rotations against the MongoDB protocol double');

const OWN_PASSWORD_ROLE = { role: 'rotor_test_change_own_password', db: 'admin' };

(tlsAvailable ? describe : describe.skip)(
  'documentdb rotations against the MongoDB protocol double (TLS)',
  () => {
    let rig: DoubleRig;

    beforeAll(async () => {
      rig = await startDoubleRig({ flavour: 'documentdb' });
    }, 120_000);
    afterAll(async () => {
      await rig?.stop();
    });
    afterEach(async () => {
      rig.double.beforeCommand = undefined;
      await rig.h.assertNoSecretsLogged();
    });

    /** Starts a rotation by hand and runs createSecret; returns the token and the secret's state. */
    async function pendingRotation(arn: string, strategy: StrategyName) {
      const token = await rig.h.beginRotation(arn);
      await rig.h.step(strategy, arn, token, 'createSecret');
      return { token, before: await rig.h.snapshot(arn) };
    }

    async function expectRotated(arn: string, strategy: StrategyName): Promise<Record<string, unknown>> {
      const token = await rig.h.rotate(arn, strategy);
      const stages = await rig.h.stages(arn);
      if (!stages[token]?.includes('AWSCURRENT')) {
        const failure = rig.h.logs
          .records()
          .filter((r) => r.message === 'step failed')
          .at(-1);
        throw new Error(`rotation did not complete: ${JSON.stringify(failure)}`);
      }
      return rig.h.value(arn);
    }

    describe('refusals leave the users and the secret unchanged', () => {
      it('single-user without changeOwnPassword: says exactly that', async () => {
        const user = await rig.createUser({ roles: [{ role: 'read', db: 'sales' }] });
        const arn = await rig.h.createSecret('app', rig.h.secretFor(user));
        const { token, before } = await pendingRotation(arn, 'single-user');
        const pending = await rig.h.value(arn, 'AWSPENDING');

        const exactly = `user "${user.username}" lacks the changeOwnPassword privilege on database "admin", so it cannot change its own password (the server answered Unauthorized); grant it a role with changeOwnPassword on "admin", or rotate with the alternating-users strategy`;
        // The engine's typed refusal (a DatabaseChangeError subclass) reaches the caller as it is.
        const error = (await rig.h
          .step('single-user', arn, token, 'setSecret')
          .catch((e: unknown) => e)) as Error;
        expect(error.name).toBe('OwnPasswordNotAllowedError');
        expect(error.message.startsWith(exactly)).toBe(true);
        expect(await rig.h.snapshot(arn)).toEqual(before);
        expect(await rig.adapter.canLogin(user.username, user.password)).toBe(true);
        expect(await rig.adapter.canLogin(user.username, pending.password as string)).toBe(false);
      });

      it.each(['single-user', 'alternating-users'] as const)(
        '%s: an IAM (MONGODB-AWS, $external) user has no password to rotate',
        async (strategy) => {
          const iamUser = 'arn:aws:iam::123456789012:role/app';
          await rig.asRoot('$external', {
            createUser: iamUser,
            roles: [{ role: 'read', db: 'sales' }],
            mechanisms: ['MONGODB-AWS'],
          });
          try {
            const master = await rig.h.superuserSecret();
            const arn = await rig.h.createSecret(
              'iam',
              rig.h.secretFor(
                { username: iamUser, password: rig.h.newPassword() },
                { dbname: '$external', ...(strategy === 'alternating-users' ? { masterarn: master } : {}) },
              ),
            );
            const { token, before } = await pendingRotation(arn, strategy);
            await expect(rig.h.step(strategy, arn, token, 'setSecret')).rejects.toMatchObject({
              // Core reports an engine's refusal to open a session as a login that did not happen.
              name: 'LoginFailedError',
              message: expect.stringMatching(
                /IamUserError: user .* authenticates through IAM \(MONGODB-AWS\): it has no password/,
              ),
            });
            expect(await rig.h.snapshot(arn)).toEqual(before);
            expect(await rig.user(iamUser, '$external')).toMatchObject({ mechanisms: ['MONGODB-AWS'] });
            expect(await rig.user(`${iamUser}_clone`, '$external')).toBeUndefined();
          } finally {
            await rig.asRoot('$external', { dropUser: iamUser });
          }
        },
      );

      it.each(['single-user', 'alternating-users'] as const)(
        "%s: DocumentDB's serviceadmin is refused before any login",
        async (strategy) => {
          const master = await rig.h.superuserSecret();
          const arn = await rig.h.createSecret(
            'svc',
            rig.h.secretFor(
              { username: 'serviceadmin', password: rig.h.newPassword() },
              strategy === 'alternating-users' ? { masterarn: master } : {},
            ),
          );
          const serviceadminBefore = await rig.user('serviceadmin');
          const { token, before } = await pendingRotation(arn, strategy);
          const logins: string[] = [];
          rig.double.beforeCommand = (command) => {
            if (command.saslStart !== undefined) logins.push(String(command.mechanism));
            return undefined;
          };
          await expect(rig.h.step(strategy, arn, token, 'setSecret')).rejects.toMatchObject({
            name: 'LoginFailedError',
            message: expect.stringMatching(
              /UnsupportedMongoUserError: "serviceadmin" is DocumentDB's service user/,
            ),
          });
          rig.double.beforeCommand = undefined;
          expect(logins).toEqual([]);
          expect(await rig.h.snapshot(arn)).toEqual(before);
          expect(await rig.user('serviceadmin')).toEqual(serviceadminBefore);
          expect(await rig.user('serviceadmin_clone')).toBeUndefined();
        },
      );

      it('alternating: an original holding dbOwner is refused (its clone would administer users)', async () => {
        const user = await rig.createUser({
          roles: [
            { role: 'dbOwner', db: 'sales' },
            { role: 'read', db: 'sales' },
          ],
        });
        const arn = await rig.h.createSecret(
          'admin-like',
          rig.h.secretFor(user, { masterarn: await rig.h.superuserSecret() }),
        );
        const { token, before } = await pendingRotation(arn, 'alternating-users');
        await expect(rig.h.step('alternating-users', arn, token, 'setSecret')).rejects.toMatchObject({
          name: 'UnsafeRotationError',
          message: expect.stringMatching(/holds dbOwner@sales, which administers users/),
        });
        expect(await rig.h.snapshot(arn)).toEqual(before);
        expect(await rig.user(`${user.username}_clone`)).toBeUndefined();
        expect(await rig.adapter.canLogin(user.username, user.password)).toBe(true);
      });

      it('alternating: a same-named clone in another database, which the rotation would not touch, is refused', async () => {
        const user = await rig.createUser({ roles: [{ role: 'read', db: 'sales' }] });
        const stray = `${user.username}_clone`;
        await rig.asRoot('sales', { createUser: stray, pwd: rig.h.newPassword(), roles: ['readWrite'] });
        try {
          const arn = await rig.h.createSecret(
            'stray',
            rig.h.secretFor(user, { masterarn: await rig.h.superuserSecret() }),
          );
          const { token, before } = await pendingRotation(arn, 'alternating-users');
          await expect(rig.h.step('alternating-users', arn, token, 'setSecret')).rejects.toMatchObject({
            name: 'UnsafeRotationError',
            message: expect.stringMatching(
              new RegExp(
                `user "${stray}" exists in "sales", where "${user.username}" does not, with roles readWrite@sales`,
              ),
            ),
          });
          expect(await rig.h.snapshot(arn)).toEqual(before);
          expect(await rig.user(stray)).toBeUndefined();
        } finally {
          await rig.asRoot('sales', { dropUser: stray });
        }
      });
    });

    describe('privilegeEscalations (as the superuser, over the wire)', () => {
      const context = {
        log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
        env: {},
        deadline: Deadline.after(30_000),
      } as unknown as EngineContext;
      const escalations = async (user: AppUser) => {
        const root = await rig.rootSession();
        try {
          return await documentDbEngine.privilegeEscalations?.(
            root,
            { originalUsername: user.username, cloneUsername: `${user.username}_clone` },
            context,
          );
        } finally {
          await closeConnection(root);
        }
      };

      it('finds nothing for a plain user', async () => {
        expect(await escalations(await rig.createUser({ roles: [{ role: 'read', db: 'sales' }] }))).toEqual(
          [],
        );
      });

      it('names an administrative role of the original', async () => {
        const admin = await rig.createUser({ roles: [{ role: 'userAdminAnyDatabase', db: 'admin' }] });
        expect(await escalations(admin)).toEqual([
          `user "${admin.username}" in "admin" holds userAdminAnyDatabase@admin, which administers users; a clone would be a second administrator`,
        ]);
      });
    });

    describe('alternating users: what the clone copies', () => {
      it('customData, authenticationRestrictions and mechanisms, re-synced when the original changes', async () => {
        const user = await rig.createUser({
          roles: [{ role: 'read', db: 'sales' }, OWN_PASSWORD_ROLE],
          customData: { team: 'billing', tier: 2 },
          authenticationRestrictions: [{ clientSource: ['127.0.0.1/32'] }],
          mechanisms: ['SCRAM-SHA-256'],
        });
        const arn = await rig.h.createSecret(
          'copies',
          rig.h.secretFor(user, { masterarn: await rig.h.superuserSecret() }),
        );
        const first = await expectRotated(arn, 'alternating-users');
        const clone = `${user.username}_clone`;
        expect(first.username).toBe(clone);
        expect(await rig.user(clone)).toEqual({
          user: clone,
          db: 'admin',
          roles: [{ role: 'read', db: 'sales' }, OWN_PASSWORD_ROLE],
          customData: { team: 'billing', tier: 2 },
          authenticationRestrictions: [{ clientSource: ['127.0.0.1/32'] }],
          mechanisms: ['SCRAM-SHA-256'],
        });
        expect(await rig.adapter.canLogin(clone, first.password as string)).toBe(true);

        await rig.asRoot('admin', {
          updateUser: user.username,
          customData: { team: 'payments' },
          authenticationRestrictions: [],
          roles: [{ role: 'readWrite', db: 'sales' }],
        });
        const second = await expectRotated(arn, 'alternating-users');
        expect(second.username).toBe(user.username);
        expect(await rig.user(clone)).toMatchObject({
          roles: [{ role: 'readWrite', db: 'sales' }],
          customData: { team: 'payments' },
          authenticationRestrictions: [],
        });
        expect(await rig.adapter.canLogin(user.username, second.password as string)).toBe(true);
        expect(await rig.adapter.canLogin(user.username, user.password)).toBe(false);
        expect(await rig.adapter.canLogin(clone, first.password as string)).toBe(true);
      });

      it('a createUser that meets "user already exists" (51003) continues as an update', async () => {
        const user = await rig.createUser({ roles: [{ role: 'read', db: 'sales' }, OWN_PASSWORD_ROLE] });
        const clone = `${user.username}_clone`;
        const arn = await rig.h.createSecret(
          'race',
          rig.h.secretFor(user, { masterarn: await rig.h.superuserSecret() }),
        );
        // An earlier try's createUser lands between the engine's lookup and its own createUser, with
        // a password and roles of its own.
        const strayPassword = rig.h.newPassword();
        const createCommands: string[] = [];
        rig.double.beforeCommand = (command) => {
          if (command.createUser !== clone) return undefined;
          createCommands.push(String(command.createUser));
          if (!rig.double.directory.find('admin', clone)) {
            rig.double.directory.create(
              {
                user: clone,
                db: 'admin',
                roles: [{ role: 'readWrite', db: 'sales' }],
                mechanisms: rig.double.mechanisms(),
              },
              strayPassword,
            );
          }
          return undefined;
        };
        const rotated = await expectRotated(arn, 'alternating-users');
        rig.double.beforeCommand = undefined;

        expect(createCommands).toEqual([clone]);
        expect(rotated.username).toBe(clone);
        expect(await rig.adapter.canLogin(clone, rotated.password as string)).toBe(true);
        expect(await rig.adapter.canLogin(clone, strayPassword)).toBe(false);
        expect((await rig.user(clone))?.roles).toEqual([{ role: 'read', db: 'sales' }, OWN_PASSWORD_ROLE]);
        expect(
          rig.h.logs
            .records()
            .some((r) => String(r.message).includes('already exists (an earlier try created it)')),
        ).toBe(true);
      });
    });
  },
);
