// Both DocumentDB rotation functions loaded FROM THE BUILT ZIP (`rotor-documentdb.zip`, unpacked and
// run in worker threads the way Lambda runs them) through the local Secrets Manager and the real
// SDK, against the testkit's MongoDB PROTOCOL DOUBLE (a test double, not a server: no MongoDB or
// DocumentDB can run here) in its DocumentDB flavour over verified TLS. The handlers trust the
// double's test CA only through ROTOR_CA_BUNDLE, and the secrets say "ssl": true.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEngineZip, engineModuleNamed, findRepoRoot } from '@rotor/cli';
import { createDocumentDbTestAdapter, type DocumentDbTestAdapter } from '@rotor/documentdb/testing';
import {
  createTestCertificates,
  MongoProtocolDouble,
  opensslAvailable,
  type TestCertificates,
  uniqueName,
} from '@rotor/testkit';
import { ZipRotationRig } from '../../src/demo/zip-rotation-rig';
import { expectRotated } from '../support/expect-rotated';

const repoRoot = findRepoRoot(__dirname);
const tls = opensslAvailable();
if (!tls) {
  process.stdout.write('SKIP documentdb zip rotation: no openssl command for test certificates\n');
}

(tls ? describe : describe.skip)(
  'a rotation through the built documentdb zip against the MongoDB protocol double (TLS)',
  () => {
    let work: string;
    let certs: TestCertificates;
    let double: MongoProtocolDouble;
    let adapter: DocumentDbTestAdapter;
    let rig: ZipRotationRig;
    const app = { username: uniqueName('zap'), password: `App-${uniqueName('pw')}-1x`, table: 'orders' };
    /** The app user's credentials as they are now (the single-user rotation changes them). */
    let appNow: { username: string; password: string };
    const passwords = new Set<string>([app.password]);

    const secretFor = (
      user: { username: string; password: string },
      extra: Record<string, unknown> = {},
    ) => ({
      engine: 'mongo',
      host: 'localhost',
      port: double.port,
      username: user.username,
      password: user.password,
      dbname: 'admin',
      ssl: true,
      ...extra,
    });

    async function current(secretId: string): Promise<{ username: string; password: string }> {
      const value = await rig.currentValue(secretId);
      passwords.add(String(value.password));
      return { username: String(value.username), password: String(value.password) };
    }

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'rotor-documentdb-zip-'));
      const zip = await buildEngineZip({ module: engineModuleNamed('documentdb'), repoRoot, outDir: work });
      expect(zip.file).toMatch(/rotor-documentdb\.zip$/);
      certs = createTestCertificates();
      double = await MongoProtocolDouble.start({
        flavour: 'documentdb',
        tls: { cert: certs.cert, key: certs.key },
        rootUser: { username: uniqueName('zroot'), password: `Root-${uniqueName('pw')}-1x` },
      });
      passwords.add(double.options.rootUser.password);
      adapter = await createDocumentDbTestAdapter({
        label: 'mongodb-protocol-double',
        host: 'localhost',
        port: double.port,
        superuser: double.options.rootUser,
        tls: { ca: certs.ca, caPath: certs.caPath },
      });
      await adapter.createAppUser(app.username, app.password, app.table);
      appNow = app;
      rig = await ZipRotationRig.start(zip.file, { env: { ROTOR_CA_BUNDLE: certs.caPath } });
    }, 180_000);

    afterAll(async () => {
      await rig?.stop();
      await adapter?.cleanup().catch(() => undefined);
      await double?.stop();
      certs?.remove();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('single-user: the new password logs in and reads, the old one is refused', async () => {
      const secret = await rig.createSecret(uniqueName('docdb-single'), secretFor(app));
      expectRotated(await rig.rotate(secret, 'single-user'));

      const rotated = await current(secret);
      expect(rotated.username).toBe(app.username);
      expect(rotated.password).not.toBe(app.password);
      expect(await adapter.canLogin(app.username, rotated.password)).toBe(true);
      expect(await adapter.canRead(app.username, rotated.password, app.table)).toBe(true);
      expect(await adapter.canLogin(app.username, app.password)).toBe(false);
      appNow = rotated;
    });

    it('alternating users: the clone becomes current; the next rotation returns to the original; stale passwords are refused', async () => {
      const master = await rig.createSecret(uniqueName('docdb-root'), secretFor(double.options.rootUser));
      const secret = await rig.createSecret(
        uniqueName('docdb-alt'),
        secretFor(appNow, { masterarn: master }),
      );

      expectRotated(await rig.rotate(secret, 'alternating-users'));
      const clone = await current(secret);
      expect(clone.username).toBe(`${app.username}_clone`);
      expect(await adapter.canLogin(clone.username, clone.password)).toBe(true);
      expect(await adapter.canRead(clone.username, clone.password, app.table)).toBe(true);

      expectRotated(await rig.rotate(secret, 'alternating-users'));
      const original = await current(secret);
      expect(original.username).toBe(app.username);
      expect(await adapter.canLogin(original.username, original.password)).toBe(true);
      // The original's password from before the alternating rotations is gone; AWSPREVIOUS (the
      // clone) keeps working until the next rotation, then its old password is refused too.
      expect(await adapter.canLogin(app.username, appNow.password)).toBe(false);
      expect(await adapter.canLogin(clone.username, clone.password)).toBe(true);
      appNow = original;

      expectRotated(await rig.rotate(secret, 'alternating-users'));
      const cloneAgain = await current(secret);
      expect(cloneAgain.username).toBe(clone.username);
      expect(await adapter.canLogin(clone.username, cloneAgain.password)).toBe(true);
      expect(await adapter.canLogin(clone.username, clone.password)).toBe(false);
    });

    it("alternating users with the master secret DocumentDB manages: the zip's rds-sdk.js finds the cluster through the local RDS API", async () => {
      // The double as DocumentDB cluster rotor-docdb (engine docdb, as RDS DescribeDBClusters reports it).
      const topology = rig.emulator.replaceTopology({
        dbClusters: [{ id: 'rotor-docdb', engine: 'docdb', address: 'localhost', port: double.port }],
      });
      const master = await rig.createSecret(
        uniqueName('docdb-managed'),
        { username: double.options.rootUser.username, password: double.options.rootUser.password },
        { 'aws:rds:primaryDBClusterArn': topology.dbClusters[0]?.arn as string },
      );
      const secret = await rig.createSecret(
        uniqueName('docdb-rds'),
        secretFor(appNow, { masterarn: master }),
      );
      const outcome = await rig.rotate(secret, 'alternating-users');
      expectRotated(outcome);
      expect(
        rig.output
          .records()
          .find((r) => r.message === 'superuser resolved' && r.versionId === outcome.versionId),
      ).toMatchObject({
        resolution: 'rds-cluster',
        found: expect.stringContaining('RDS DB cluster rotor-docdb'),
      });
      const clone = await current(secret);
      expect(clone.username).toBe(`${app.username}_clone`);
      expect(await adapter.canLogin(clone.username, clone.password)).toBe(true);
      expect(await adapter.canLogin(appNow.username, appNow.password)).toBe(true);
    });

    it('a wrong superuser password stops the alternating rotation and changes nothing', async () => {
      const master = await rig.createSecret(
        uniqueName('docdb-badroot'),
        secretFor({ username: double.options.rootUser.username, password: 'Not-the-root-password-1' }),
      );
      const secret = await rig.createSecret(
        uniqueName('docdb-bad'),
        secretFor(appNow, { masterarn: master }),
      );
      const outcome = await rig.rotate(secret, 'alternating-users');
      expect(outcome.ok).toBe(false);
      expect(outcome.failure).toMatchObject({ step: 'setSecret', errorName: 'LoginFailedError' });
      expect((await current(secret)).password).toBe(appNow.password);
      expect(await adapter.canLogin(appNow.username, appNow.password)).toBe(true);
    });

    it('never lets a password reach the handlers’ output', () => {
      const text = rig.output.text;
      expect(text).toContain('step finished');
      for (const password of passwords) expect(text.includes(password)).toBe(false);
    });
  },
);
