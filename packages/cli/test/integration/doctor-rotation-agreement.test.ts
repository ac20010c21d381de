import { createServer } from 'node:net';
import { describeWithDatabase, uniqueName } from '@rotor/testkit';
import { createDoctorCommand } from '../../src/commands/doctor';
import { createRotateCommand } from '../../src/commands/rotate';
import type { DoctorReport } from '../../src/doctor/doctor-check';
import { ENGINES } from '../../src/engines/engines';
import { runCli } from '../../src/run-cli';
import {
  type CommandOutput,
  type DatabaseFixture,
  expectNoSecrets,
  postgresFixture,
  SecretsFixture,
  testPassword,
} from '../support/command-fixture';

// Doctor and the rotation read the same rules from rotation-core: fed the same bad secret, the
// doctor's failing check and the rotation's error say the same thing, and a secret one accepts the
// other accepts too. The rotation runs the real handlers against the emulator and the database.

async function run(argv: string[]): Promise<CommandOutput> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: process.cwd() }, [
    createDoctorCommand(ENGINES),
    createRotateCommand(ENGINES),
  ]);
  return { code, out, err };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeWithDatabase('postgres', 'doctor and rotation agree', (server) => {
  let sm: SecretsFixture;
  let db: DatabaseFixture;
  const users: string[] = [];
  const passwords: string[] = [];
  const outputs: string[] = [];

  beforeAll(async () => {
    sm = await SecretsFixture.start();
    db = postgresFixture(server());
  });
  afterAll(async () => {
    await db?.dropUsers(users.flatMap((u) => [`${u}_clone`, u]));
    await sm?.stop();
  });
  afterEach(() => expectNoSecrets(outputs.splice(0), passwords));

  async function user(superuser = false, username = uniqueName(superuser ? 'super_' : 'app_')) {
    const password = testPassword();
    users.push(username);
    passwords.push(password);
    await db.createUser(username, password, superuser);
    return { username, password };
  }

  async function secret(fields: Record<string, unknown>): Promise<string> {
    return sm.create(uniqueName('agree/'), {
      engine: db.engineValue,
      host: db.host,
      port: db.port,
      ...db.extras,
      ...fields,
    });
  }

  async function both(arn: string, engine: string, strategy: string) {
    const doctor = await run(['doctor', '--secret-id', arn, '--endpoint', sm.endpoint, '--json']);
    const rotate = await run([
      'rotate',
      '--secret-id',
      arn,
      '--engine',
      engine,
      '--strategy',
      strategy,
      '--endpoint',
      sm.endpoint,
    ]);
    outputs.push(doctor.out, doctor.err, rotate.out, rotate.err);
    const report = JSON.parse(doctor.out) as DoctorReport;
    const check = (name: string) => {
      const found = report.checks.find((c) => c.name === name);
      if (!found) throw new Error(`no check ${name} in ${doctor.out}`);
      return found;
    };
    return { doctor, rotate, check };
  }

  it('an alternate name over 63 bytes but not 63 characters: both refuse it, in bytes', async () => {
    const superuser = await user(true);
    const superArn = await secret(superuser);
    // 29 two-byte characters: the clone is 35 characters but 64 bytes, over NAMEDATALEN.
    const username = 'ü'.repeat(29);
    expect([...`${username}_clone`].length).toBeLessThan(63);
    const arn = await secret({ username, password: testPassword(), masterarn: superArn });

    const { doctor, rotate, check } = await both(arn, 'postgres', 'alternating-users');
    const problem = `the alternate username "${username}_clone" is 64 bytes long; postgres allows 63`;
    expect(doctor.code).not.toBe(0);
    expect(check('password-policy').status).toBe('failed');
    expect(check('password-policy').detail).toContain(problem);
    expect(rotate.code).not.toBe(0);
    expect(rotate.err).toContain('SecretFormatError');
    expect(rotate.err).toContain(problem);
    expect(Object.values(await sm.stages(arn))).toEqual([['AWSCURRENT']]);
  });

  it('a superuser secret for the same host on another port: both refuse it', async () => {
    const app = await user();
    const superuser = await user(true);
    const otherPort = await closedPort();
    const superArn = await secret({ ...superuser, port: otherPort });
    const arn = await secret({ ...app, masterarn: superArn });

    const { doctor, rotate, check } = await both(arn, 'postgres', 'alternating-users');
    expect(doctor.code).not.toBe(0);
    expect(check('superuser-secret').status).toBe('failed');
    expect(check('superuser-secret').detail).toBe(
      `the superuser secret is for port ${otherPort} of host ${db.host}, the rotated secret for port ${db.port}: another database on the same host`,
    );
    expect(check('superuser-login').status).toBe('skipped');
    expect(rotate.code).not.toBe(0);
    expect(rotate.err).toContain('UnsafeRotationError');
    expect(rotate.err).toContain(
      `is for ${db.host}:${otherPort} but the rotated secret is for ${db.host}:${db.port}`,
    );
    expect(await db.canLogin(app.username, app.password)).toBe(true);
  });

  it('an app secret whose user is the superuser: both refuse it with the same sentence', async () => {
    const superuser = await user(true);
    const superArn = await secret(superuser);
    const arn = await secret({ ...superuser, masterarn: superArn });

    const { doctor, rotate, check } = await both(arn, 'postgres', 'alternating-users');
    const problem = `the superuser secret (masterarn) is for user ${JSON.stringify(superuser.username)}, which is the rotated user`;
    expect(doctor.code).not.toBe(0);
    expect(check('superuser-secret').status).toBe('failed');
    expect(check('superuser-secret').detail).toContain(problem);
    expect(rotate.code).not.toBe(0);
    expect(rotate.err).toContain('UnsafeRotationError');
    expect(rotate.err).toContain(problem);
    expect(await db.canLogin(superuser.username, superuser.password)).toBe(true);
  });

  it('an engine value accepted only by prefix (custom-sqlserver-ee): both accept the secret', async () => {
    // No SQL Server runs here: the secret points at a closed port, so both get exactly as far as
    // the network, which shows the secret itself was accepted.
    const arn = await sm.create(uniqueName('agree/'), {
      engine: 'custom-sqlserver-ee',
      host: '127.0.0.1',
      port: await closedPort(),
      username: 'app',
      password: testPassword(),
      ssl: false,
    });

    const { doctor, rotate, check } = await both(arn, 'custom-sqlserver-ee', 'single-user');
    expect(check('secret').status).toBe('passed');
    expect(check('port').status).toBe('failed');
    expect(doctor.code).not.toBe(0);
    expect(rotate.code).not.toBe(0);
    expect(rotate.err).not.toContain('UnsupportedEngineError');
    expect(rotate.err).toContain('LoginFailedError');
    expect(rotate.err).toMatch(/network failure/);
  });
});
