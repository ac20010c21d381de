// Both SQL Server rotation functions loaded FROM THE BUILT ZIP (`rotor-sqlserver.zip`, unpacked and
// run in worker threads the way Lambda runs them) through the local Secrets Manager and the real
// SDK, against the testkit's TDS PROTOCOL DOUBLE (a test double, not a server: no SQL Server can run
// here). The handlers speak TLS inside TDS and trust the double's test CA only through
// ROTOR_CA_BUNDLE, and the secrets say "ssl": true; the test's own checks connect in plaintext,
// which the double allows as a server without Force Encryption.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { buildEngineZip, engineModuleNamed, findRepoRoot } from '@rotor/cli';
import { createTestAdapter } from '@rotor/sqlserver/testing';
import {
  createTestCertificates,
  opensslAvailable,
  TdsProtocolDouble,
  type TestCertificates,
  uniqueName,
} from '@rotor/testkit';
import { ZipRotationRig } from '../../src/demo/zip-rotation-rig';
import { expectRotated } from '../support/expect-rotated';

const repoRoot = findRepoRoot(__dirname);
const tls = opensslAvailable();
if (!tls) {
  process.stdout.write('SKIP sqlserver zip rotation: no openssl command for test certificates\n');
}

(tls ? describe : describe.skip)(
  'a rotation through the built sqlserver zip against the TDS protocol double, not a real SQL Server (TLS)',
  () => {
    let work: string;
    let certs: TestCertificates;
    let double: TdsProtocolDouble;
    let adapter: Awaited<ReturnType<typeof createTestAdapter>>;
    let rig: ZipRotationRig;
    let database: string;
    const superuser = { username: uniqueName('zsa'), password: `Sa-${uniqueName('pw')}-1x!` };
    const app = { username: uniqueName('zap'), password: `App-${uniqueName('pw')}-1x`, table: 'orders' };
    /** The app login's credentials as they are now (the single-user rotation changes them). */
    let appNow: { username: string; password: string };
    const passwords = new Set<string>([superuser.password, app.password]);

    const secretFor = (
      user: { username: string; password: string },
      extra: Record<string, unknown> = {},
    ) => ({
      engine: 'sqlserver',
      host: '127.0.0.1',
      port: double.port,
      username: user.username,
      password: user.password,
      dbname: database,
      ssl: true,
      ...extra,
    });

    async function current(secretId: string): Promise<{ username: string; password: string }> {
      const value = await rig.currentValue(secretId);
      passwords.add(String(value.password));
      return { username: String(value.username), password: String(value.password) };
    }

    /** A refused login, as the double answered it: error 18456 for that login. */
    async function expectRefused(username: string, password: string): Promise<void> {
      expect(await adapter.canLogin(username, password)).toBe(false);
      expect(double.loginAttempts.at(-1)).toMatchObject({ user: username, number: 18456 });
    }

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'rotor-sqlserver-zip-'));
      const zip = await buildEngineZip({ module: engineModuleNamed('sqlserver'), repoRoot, outDir: work });
      expect(zip.file).toMatch(/rotor-sqlserver\.zip$/);
      certs = createTestCertificates();
      double = await TdsProtocolDouble.start({ superuser, tls: { cert: certs.cert, key: certs.key } });
      adapter = await createTestAdapter({
        target: 'sqlserver',
        source: 'env',
        host: '127.0.0.1',
        port: double.port,
        user: superuser.username,
        password: superuser.password,
        url: '',
        stop: async () => {},
      });
      database = String(adapter.superuser().dbname);
      await adapter.createAppUser(app.username, app.password, app.table);
      appNow = app;
      rig = await ZipRotationRig.start(zip.file, { env: { ROTOR_CA_BUNDLE: certs.caPath }, rdsApi: true });
    }, 180_000);

    afterAll(async () => {
      await rig?.stop();
      await adapter?.dropAppUser(app.username, app.table).catch(() => undefined);
      await double?.stop();
      certs?.remove();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('single-user: the new password logs in and reads over TLS, the old one is refused with 18456', async () => {
      const secret = await rig.createSecret(uniqueName('mssql-single'), secretFor(app));
      expectRotated(await rig.rotate(secret, 'single-user'));

      const rotated = await current(secret);
      expect(rotated.username).toBe(app.username);
      expect(rotated.password).not.toBe(app.password);
      expect(await adapter.canLogin(app.username, rotated.password)).toBe(true);
      expect(await adapter.canRead(app.username, rotated.password, app.table)).toBe(true);
      await expectRefused(app.username, app.password);
      // The zip's handlers logged in inside TLS; the test's own checks above did not.
      expect(double.loginAttempts.some((a) => a.user === app.username && a.encrypted)).toBe(true);
      appNow = rotated;
    });

    it("alternating users: the clone gets the original's roles and permissions; both alternate; stale passwords are refused", async () => {
      const state = double.state;
      const db = state.database(database);
      state.serverRoles.get('processadmin')?.members.add(app.username);
      db.roles.get('db_datareader')?.members.add(app.username);
      const clone = `${app.username}_clone`;
      const permissionsOf = (grantee: string) =>
        db.permissions
          .filter((p) => p.grantee === grantee)
          .map(({ grantee: _, ...p }) => JSON.stringify(Object.entries(p).sort()))
          .sort();

      const master = await rig.createSecret(uniqueName('mssql-sa'), secretFor(superuser));
      const secret = await rig.createSecret(
        uniqueName('mssql-alt'),
        secretFor(appNow, { masterarn: master }),
      );

      expectRotated(await rig.rotate(secret, 'alternating-users'));
      const cloned = await current(secret);
      expect(cloned.username).toBe(clone);
      expect(await adapter.canLogin(clone, cloned.password)).toBe(true);
      expect(await adapter.canRead(clone, cloned.password, app.table)).toBe(true);
      expect(state.serverRoles.get('processadmin')?.members.has(clone)).toBe(true);
      expect(db.roles.get('db_datareader')?.members.has(clone)).toBe(true);
      expect(permissionsOf(clone)).toEqual(permissionsOf(app.username));
      expect(permissionsOf(clone)).not.toEqual([]);

      expectRotated(await rig.rotate(secret, 'alternating-users'));
      const original = await current(secret);
      expect(original.username).toBe(app.username);
      expect(await adapter.canLogin(original.username, original.password)).toBe(true);
      // The original's password from before the alternating rotations is gone; AWSPREVIOUS (the
      // clone) keeps working until the next rotation, then its old password is refused too.
      await expectRefused(app.username, appNow.password);
      expect(await adapter.canLogin(clone, cloned.password)).toBe(true);
      appNow = original;

      expectRotated(await rig.rotate(secret, 'alternating-users'));
      const clonedAgain = await current(secret);
      expect(clonedAgain.username).toBe(clone);
      expect(await adapter.canLogin(clone, clonedAgain.password)).toBe(true);
      await expectRefused(clone, cloned.password);
      expect(await adapter.canLogin(app.username, original.password)).toBe(true);
    });

    it('a wrong superuser password stops the alternating rotation at setSecret and changes nothing', async () => {
      const master = await rig.createSecret(
        uniqueName('mssql-badsa'),
        secretFor({ username: superuser.username, password: 'Not-the-sa-password-1' }),
      );
      const secret = await rig.createSecret(
        uniqueName('mssql-bad'),
        secretFor(appNow, { masterarn: master }),
      );
      const before = double.state.snapshot();
      const outcome = await rig.rotate(secret, 'alternating-users');
      expect(outcome.ok).toBe(false);
      expect(outcome.failure).toMatchObject({ step: 'setSecret', errorName: 'LoginFailedError' });
      expect(double.state.snapshot()).toEqual(before);
      expect((await current(secret)).password).toBe(appNow.password);
      expect(await adapter.canLogin(appNow.username, appNow.password)).toBe(true);
    });

    it("alternating users with the master-user secret RDS manages: the zip's RDS client finds the instance", async () => {
      const [instance] = rig.emulator.replaceTopology({
        dbInstances: [{ id: 'rotor-mssql', engine: 'sqlserver-se', address: '127.0.0.1', port: double.port }],
      }).dbInstances;
      // Only {username, password}, tagged with the instance, as RDS creates it.
      const master = await rig.createSecret(uniqueName('mssql-rds-managed'), {
        username: superuser.username,
        password: superuser.password,
      });
      await rig.client.send(
        new TagResourceCommand({
          SecretId: master,
          Tags: [{ Key: 'aws:rds:primaryDBInstanceArn', Value: String(instance?.arn) }],
        }),
      );
      const secret = await rig.createSecret(
        uniqueName('mssql-alt-managed'),
        secretFor(appNow, { masterarn: master }),
      );
      expectRotated(await rig.rotate(secret, 'alternating-users'));
      const rotated = await current(secret);
      expect(await adapter.canLogin(rotated.username, rotated.password)).toBe(true);
      expect(rig.output.text).toContain('RDS DB instance rotor-mssql');
    });

    it('never lets a password reach the handlers’ output', () => {
      const text = rig.output.text;
      expect(text).toContain('step finished');
      for (const password of passwords) expect(text.includes(password)).toBe(false);
    });
  },
);
