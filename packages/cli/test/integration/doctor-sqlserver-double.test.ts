import { TdsProtocolDouble, uniqueName } from '@rotor/testkit';
import { createDoctorCommand } from '../../src/commands/doctor';
import type { DoctorReport } from '../../src/doctor/doctor-check';
import { ENGINES } from '../../src/engines/engines';
import { runCli } from '../../src/run-cli';
import { expectNoSecrets, SecretsFixture, testPassword } from '../support/command-fixture';

// `rotor doctor` for SQL Server over the real mssql/tedious driver against the testkit's TDS
// PROTOCOL DOUBLE, not a real SQL Server (none can run here), with secrets in the emulator.
// The superuser-privileges check runs the engine's own check: an RDS-like master user (not
// sysadmin) is told which fixed server role it cannot grant; a sysadmin passes.

describe('TDS protocol double, not a real SQL Server: rotor doctor for sqlserver', () => {
  let sm: SecretsFixture;
  let double: TdsProtocolDouble;
  const sa = { username: 'rotor_sa', password: testPassword() };
  const master = { username: uniqueName('rds_master_'), password: testPassword() };
  const app = { username: uniqueName('app_'), password: testPassword() };
  const outputs: string[] = [];

  beforeAll(async () => {
    sm = await SecretsFixture.start();
    double = await TdsProtocolDouble.start({ superuser: sa });
    const { state } = double;
    state.createLogin(master.username, master.password, { checkPolicy: false });
    state.serverPermissions.push({
      grantee: master.username,
      permission: 'ALTER ANY LOGIN',
      state: 'G',
      class: 100,
    });
    for (const role of ['processadmin', 'setupadmin'])
      state.serverRoles.get(role)?.members.add(master.username);
    const shop = state.createDatabase('shop', sa.username);
    state.createUser(shop, master.username, { login: master.username });
    shop.roles.get('db_owner')?.members.add(master.username);
    state.createLogin(app.username, app.password, { checkPolicy: false, defaultDatabase: 'shop' });
    for (const role of ['processadmin', 'bulkadmin']) state.serverRoles.get(role)?.members.add(app.username);
    state.createUser(shop, app.username, { login: app.username });
  });
  afterAll(async () => {
    await double?.stop();
    await sm?.stop();
  });
  afterEach(() => expectNoSecrets(outputs.splice(0), [sa.password, master.password, app.password]));

  const secret = (user: { username: string; password: string }, extra: Record<string, unknown> = {}) =>
    sm.create(uniqueName('mssql/'), {
      engine: 'sqlserver-se',
      host: '127.0.0.1',
      port: double.port,
      dbname: 'shop',
      ssl: false,
      ...user,
      ...extra,
    });

  async function doctor(superuser: { username: string; password: string }) {
    const masterarn = await secret(superuser);
    const arn = await secret(app, { masterarn });
    let out = '';
    let err = '';
    await runCli(
      ['doctor', '--secret-id', arn, '--endpoint', sm.endpoint, '--json'],
      { out: (t) => (out += t), err: (t) => (err += t), cwd: process.cwd() },
      [createDoctorCommand(ENGINES)],
    );
    outputs.push(out, err);
    const report = JSON.parse(out) as DoctorReport;
    return (name: string) => report.checks.find((c) => c.name === name);
  }

  it('an RDS-like master user: superuser-privileges names bulkadmin, the role it cannot grant', async () => {
    const check = await doctor(master);
    expect(check('superuser-login')?.status).toBe('passed');
    expect(check('superuser-privileges')).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(
        new RegExp(
          `^login "${master.username}" cannot add "${app.username}_clone" to server role\\(s\\) bulkadmin, `,
        ),
      ),
    });
  });

  it('a sysadmin superuser: superuser-privileges passes', async () => {
    const check = await doctor(sa);
    expect(check('superuser-privileges')).toMatchObject({
      status: 'passed',
      detail: expect.stringContaining(`can create "${app.username}_clone"`),
    });
  });
});
