import { Deadline } from '@rotor/rotation-core';
import {
  ConformanceHarness,
  createTestCertificates,
  type DatabaseServer,
  opensslAvailable,
  type TdsDoubleState,
  TdsProtocolDouble,
  uniqueName,
} from '@rotor/testkit';
import { sqlServerEngine } from '../../src';
import { createSqlServerTestAdapter } from '../../src/testing';

// Rotations through the Secrets Manager emulator (real SDK, real handlers from source) against the
// testkit's TDS PROTOCOL DOUBLE, not a real SQL Server (none can run here). The handlers connect
// with TLS inside TDS (a test CA trusted only through ROTOR_CA_BUNDLE, "ssl": true); the test's
// own checks connect in plaintext, which the double allows as a server without Force Encryption.
const tls = opensslAvailable();
if (!tls)
  process.stdout.write('SKIP sqlserver TDS double rotations: no openssl command for test certificates\n');

const SUPERUSER = { username: 'rotor_sa', password: `Sa-${Date.now()}-Pw!` };

(tls ? describe : describe.skip)('TDS protocol double, not a real SQL Server: sqlserver rotations', () => {
  const certs = tls ? createTestCertificates() : undefined;
  let double: TdsProtocolDouble;
  let h: ConformanceHarness;
  let state: TdsDoubleState;
  let database: string;

  const connect = (username: string, password: string, dbname = database) =>
    sqlServerEngine.connect({
      host: '127.0.0.1',
      port: double.port,
      username,
      password,
      dbname,
      tls: false,
      connectTimeoutMs: 5_000,
      deadline: Deadline.after(20_000),
      secret: { host: '127.0.0.1', port: double.port, username, password, ssl: 'disable', fields: {} },
    });
  const loginError = (username: string, password: string, dbname = database) =>
    connect(username, password, dbname).then(
      async (s) => {
        await sqlServerEngine.close(s);
        return undefined;
      },
      (error: unknown) => error,
    );
  const logsIn = async (username: string, password: string, dbname = database) =>
    (await loginError(username, password, dbname)) === undefined;

  /** Starts a rotation and runs createSecret; the rest is driven by the test. */
  const pending = async (strategy: 'single-user' | 'alternating-users', arn: string) => {
    const token = await h.beginRotation(arn);
    await h.step(strategy, arn, token, 'createSecret');
    return token;
  };

  beforeAll(async () => {
    if (!certs) throw new Error('no certificates');
    double = await TdsProtocolDouble.start({
      superuser: SUPERUSER,
      tls: { cert: certs.cert, key: certs.key },
    });
    const server: DatabaseServer = {
      target: 'sqlserver',
      source: 'env',
      host: '127.0.0.1',
      port: double.port,
      user: SUPERUSER.username,
      password: SUPERUSER.password,
      url: '',
      stop: async () => {},
    };
    const base = await createSqlServerTestAdapter(server);
    h = new ConformanceHarness({
      ...base,
      handlerEnv: () => ({ ROTOR_CA_BUNDLE: certs.caPath }),
      secretExtras: () => ({ ...base.secretExtras(), ssl: true }),
    });
    await h.start();
    state = double.state;
    database = base.superuser().dbname as string;
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await double?.stop();
    certs?.remove();
  });

  afterEach(async () => {
    await h.assertNoSecretsLogged();
  });

  it('single user: the new password logs in, the old one is refused with 18456, the handler used TLS', async () => {
    const user = await h.appUser();
    const arn = await h.createSecret('app', h.secretFor(user));
    const token = await h.rotate(arn, 'single-user');
    expect((await h.stages(arn))[token]).toContain('AWSCURRENT');
    const current = await h.value(arn);
    expect(await logsIn(user.username, current.password as string)).toBe(true);
    expect(await loginError(user.username, user.password)).toMatchObject({
      name: 'SqlServerDriverError',
      number: 18456,
    });
    expect(double.loginAttempts.at(-1)).toMatchObject({ user: user.username, number: 18456 });
    const handlerLogins = double.loginAttempts.filter((a) => a.user === user.username && a.encrypted);
    expect(handlerLogins.length).toBeGreaterThan(0);
  });

  it("alternating: the clone gets the original's server and database roles and permissions, and re-sync revokes what the original lost", async () => {
    const user = await h.appUser('rot_alt');
    const clone = `${user.username}_clone`;
    const db = state.database(database);
    state.serverRoles.get('processadmin')?.members.add(user.username);
    state.serverPermissions.push({
      grantee: user.username,
      permission: 'VIEW SERVER STATE',
      state: 'G',
      class: 100,
    });
    db.roles.get('db_datareader')?.members.add(user.username);
    const onTable = { class: 1, schema: 'dbo', name: user.table } as const;
    db.permissions.push(
      { grantee: user.username, permission: 'INSERT', state: 'W', ...onTable },
      { grantee: user.username, permission: 'DELETE', state: 'D', ...onTable },
    );
    const permissionsOf = (grantee: string) =>
      db.permissions
        .filter((p) => p.grantee === grantee)
        .map(({ grantee: _, ...p }) => JSON.stringify(Object.entries(p).sort()))
        .sort();

    const superArn = await h.superuserSecret();
    const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));
    await h.rotate(arn, 'alternating-users');
    const current = await h.value(arn);
    expect(current.username).toBe(clone);
    expect(await logsIn(clone, current.password as string)).toBe(true);
    expect(await logsIn(user.username, user.password)).toBe(true);
    expect(state.login(clone)).toMatchObject({ type: 'S', defaultDatabase: database, checkPolicy: false });
    expect(state.serverRoles.get('processadmin')?.members.has(clone)).toBe(true);
    expect(state.serverPermissions).toContainEqual({
      grantee: clone,
      permission: 'VIEW SERVER STATE',
      state: 'G',
      class: 100,
    });
    expect(db.roles.get('db_datareader')?.members.has(clone)).toBe(true);
    expect(permissionsOf(clone)).toEqual(permissionsOf(user.username));

    // The original loses a role, a server permission and a grant option: the next rotation re-syncs.
    state.serverRoles.get('processadmin')?.members.delete(user.username);
    state.serverPermissions = state.serverPermissions.filter(
      (p) => !(p.grantee === user.username && p.permission === 'VIEW SERVER STATE'),
    );
    db.roles.get('db_datareader')?.members.delete(user.username);
    db.permissions = db.permissions.map((p) =>
      p.grantee === user.username && p.permission === 'INSERT' ? { ...p, state: 'G' } : p,
    );
    await h.rotate(arn, 'alternating-users');
    expect((await h.value(arn)).username).toBe(user.username);
    expect(state.serverRoles.get('processadmin')?.members.has(clone)).toBe(false);
    expect(
      state.serverPermissions.some((p) => p.grantee === clone && p.permission === 'VIEW SERVER STATE'),
    ).toBe(false);
    expect(db.roles.get('db_datareader')?.members.has(clone)).toBe(false);
    expect(permissionsOf(clone)).toEqual(permissionsOf(user.username));
    expect(await logsIn(clone, current.password as string)).toBe(true);
  });

  it('contained user: single user changes its own password with ALTER USER; alternating creates a contained clone', async () => {
    const cdb = state.createDatabase(uniqueName('rot_cdb'), SUPERUSER.username, true);
    const user = { username: uniqueName('rot_cu'), password: h.newPassword(), table: uniqueName('rot_t') };
    state.createUser(cdb, user.username, { password: user.password });
    cdb.tables.set(user.table, [1]);
    cdb.permissions.push({
      grantee: user.username,
      permission: 'SELECT',
      state: 'G',
      class: 1,
      schema: 'dbo',
      name: user.table,
    });

    const arn = await h.createSecret('app', h.secretFor(user, { dbname: cdb.name }));
    await h.rotate(arn, 'single-user');
    const rotated = (await h.value(arn)).password as string;
    expect(await logsIn(user.username, rotated, cdb.name)).toBe(true);
    expect(await loginError(user.username, user.password, cdb.name)).toMatchObject({ number: 18456 });
    expect(state.login(user.username)).toBeUndefined();

    const superArn = await h.superuserSecret({ dbname: cdb.name });
    const alt = await h.createSecret(
      'app',
      h.secretFor({ username: user.username, password: rotated }, { dbname: cdb.name, masterarn: superArn }),
    );
    await h.rotate(alt, 'alternating-users');
    const current = await h.value(alt);
    const clone = `${user.username}_clone`;
    expect(current.username).toBe(clone);
    expect(cdb.users.get(clone)).toMatchObject({ authenticationType: 2 });
    expect(state.login(clone)).toBeUndefined();
    expect(cdb.permissions).toContainEqual({
      grantee: clone,
      permission: 'SELECT',
      state: 'G',
      class: 1,
      schema: 'dbo',
      name: user.table,
    });
    expect(await logsIn(clone, current.password as string, cdb.name)).toBe(true);
  });

  it("refusals leave the double's state unchanged: the original owns the database", async () => {
    const user = await h.appUser('rot_own');
    const owned = state.createDatabase(uniqueName('rot_owned'), user.username);
    const superArn = await h.superuserSecret({ dbname: owned.name });
    const arn = await h.createSecret('app', h.secretFor(user, { dbname: owned.name, masterarn: superArn }));
    const token = await pending('alternating-users', arn);
    const before = state.snapshot();
    await expect(h.step('alternating-users', arn, token, 'setSecret')).rejects.toMatchObject({
      name: 'SqlServerRefusalError',
      message: expect.stringMatching(/owns database/),
    });
    expect(state.snapshot()).toEqual(before);
  });

  it("refusals leave the double's state unchanged: another principal holds the clone's user name", async () => {
    const user = await h.appUser('rot_sq');
    const other = uniqueName('rot_other');
    state.createLogin(other, h.newPassword(), { checkPolicy: false });
    state.createUser(state.database(database), `${user.username}_clone`, { login: other });
    const superArn = await h.superuserSecret();
    const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));
    const token = await pending('alternating-users', arn);
    const before = state.snapshot();
    await expect(h.step('alternating-users', arn, token, 'setSecret')).rejects.toMatchObject({
      name: 'SqlServerRefusalError',
      message: expect.stringMatching(/already has a principal/),
    });
    expect(state.snapshot()).toEqual(before);
    expect(state.login(`${user.username}_clone`)).toBeUndefined();
  });

  it('an unknown statement fails loudly with error 50999 naming it', async () => {
    const session = await connect(SUPERUSER.username, SUPERUSER.password);
    try {
      await expect(
        session.run({ sql: 'TRUNCATE TABLE dbo.anything;', params: {} }, 'probe'),
      ).rejects.toMatchObject({
        number: 50999,
        message: expect.stringMatching(/unsupported statement: TRUNCATE TABLE dbo\.anything/),
      });
    } finally {
      await sqlServerEngine.close(session);
    }
  });

  it('the engine refuses the double when its certificate is not trusted (tls)', async () => {
    const error = await sqlServerEngine
      .connect({
        host: '127.0.0.1',
        port: double.port,
        username: SUPERUSER.username,
        password: SUPERUSER.password,
        dbname: 'master',
        tls: { ca: [], servername: 'localhost' },
        connectTimeoutMs: 5_000,
        deadline: Deadline.after(20_000),
        secret: {
          host: '127.0.0.1',
          port: double.port,
          username: 'x',
          password: 'x',
          ssl: 'require',
          fields: {},
        },
      } as never)
      .catch((e: unknown) => e);
    expect(sqlServerEngine.classifyConnectError(error)).toBe('tls');
  });
});
