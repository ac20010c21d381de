import { TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { type DatabaseServer, describeWithDatabase, uniqueName } from '@rotor/testkit';
import { createDoctorCommand } from '../../src/commands/doctor';
import type { DoctorReport } from '../../src/doctor/doctor-check';
import { ENGINES } from '../../src/engines/engines';
import { runCli } from '../../src/run-cli';
import {
  type DatabaseFixture,
  expectNoSecrets,
  mariadbFixture,
  postgresFixture,
  SecretsFixture,
  testPassword,
} from '../support/command-fixture';

// `rotor doctor` on a superuser secret the database service manages, resolved through the
// emulator's RDS API (ROTOR_RDS_ENDPOINT, as the function would see it) to the real server.
async function doctorChecks(secretId: string, endpoint: string) {
  let out = '';
  const code = await runCli(
    ['doctor', '--secret-id', secretId, '--endpoint', endpoint, '--json'],
    { out: (t) => (out += t), err: () => {}, cwd: process.cwd() },
    [createDoctorCommand(ENGINES)],
  );
  const report = JSON.parse(out) as DoctorReport;
  return { code, out, check: (name: string) => report.checks.find((c) => c.name === name) };
}

function suite(
  target: 'postgres' | 'mariadb',
  fixtureFor: (server: DatabaseServer) => DatabaseFixture,
): void {
  describeWithDatabase(target, `rotor doctor with a managed superuser secret on ${target}`, (server) => {
    let sm: SecretsFixture;
    let db: DatabaseFixture;
    const users: string[] = [];
    const passwords: string[] = [];
    const saved = process.env.ROTOR_RDS_ENDPOINT;

    beforeAll(async () => {
      sm = await SecretsFixture.start();
      db = fixtureFor(server());
      process.env.ROTOR_RDS_ENDPOINT = sm.endpoint;
      process.env.AWS_ACCESS_KEY_ID ??= 'test';
      process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
      sm.sm.replaceTopology({
        dbInstances: [{ id: 'doctor-db', engine: db.engineValue, address: db.host, port: db.port }],
      });
    });
    afterAll(async () => {
      if (saved === undefined) delete process.env.ROTOR_RDS_ENDPOINT;
      else process.env.ROTOR_RDS_ENDPOINT = saved;
      await db?.dropUsers(users.flatMap((u) => [`${u}_clone`, u]));
      await sm?.stop();
    });

    async function user(kind: 'app' | 'super') {
      const username = uniqueName(`${kind}_`);
      const password = testPassword();
      users.push(username);
      passwords.push(password);
      await db.createUser(username, password, kind === 'super');
      return { username, password };
    }
    async function managed(tags: Record<string, string>) {
      const su = await user('super');
      const arn = await sm.create(uniqueName('rds-managed/'), su);
      await sm.client.send(
        new TagResourceCommand({
          SecretId: arn,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      return arn;
    }
    async function appSecret(masterarn: string) {
      const app = await user('app');
      return sm.create(uniqueName('doc/'), {
        engine: db.engineValue,
        host: db.host,
        port: db.port,
        ...app,
        ...db.extras,
        masterarn,
      });
    }
    const dbArn = () => sm.sm.topology().dbInstances[0]?.arn as string;

    it('says which resolution it used and what RDS returned; the superuser then logs in', async () => {
      const arn = await appSecret(await managed({ 'aws:rds:primarydbinstancearn': dbArn() }));
      const { code, out, check } = await doctorChecks(arn, sm.endpoint);
      expectNoSecrets([out], passwords);
      expect(check('superuser-secret')).toMatchObject({
        status: 'passed',
        detail: expect.stringContaining(
          `resolved from tag aws:rds:primarydbinstancearn=${dbArn()} (rds-instance): RDS DB instance doctor-db (${db.engineValue}) at ${db.host}:${db.port}`,
        ),
      });
      expect(check('superuser-login')?.status).toBe('passed');
      expect(code).toBe(0);
    });

    it('fails superuser-secret for a tag naming a database RDS does not know, with a fix', async () => {
      const gone = 'arn:aws:rds:us-east-1:123456789012:db:doctor-gone';
      const arn = await appSecret(await managed({ 'aws:rds:primarydbinstancearn': gone }));
      const { code, check } = await doctorChecks(arn, sm.endpoint);
      expect(code).toBe(1);
      expect(check('superuser-secret')).toMatchObject({
        status: 'failed',
        detail: expect.stringContaining('RDS DescribeDBInstances finds no such DB instance'),
        fix: expect.stringContaining('aws:rds:primarydbinstancearn'),
      });
      expect(check('superuser-login')?.status).toBe('skipped');
    });
  });
}

suite('postgres', postgresFixture);
suite('mariadb', mariadbFixture);
