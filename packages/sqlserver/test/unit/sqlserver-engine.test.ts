import { Deadline, Logger } from '@rotor/rotation-core';
import { SqlServerInputError, SqlServerRefusalError, SqlServerUngrantableError } from '../../src/errors';
import { classifySqlServerError } from '../../src/sqlserver-connection';
import { createSqlServerEngine } from '../../src/sqlserver-engine';
import { ownPasswordBatch, setLoginPasswordBatch } from '../../src/sqlserver-sql';
import {
  DATABASE_PERMISSIONS,
  DATABASE_ROLES,
  SERVER_PERMISSIONS,
  SERVER_ROLES,
} from '../fixtures/catalog-rows';
import { RecordingSession } from './recording-session';

const engine = createSqlServerEngine({ open: async () => new RecordingSession() });
const context = () => ({ log: new Logger({ sink: () => {} }), env: {}, deadline: Deadline.after(30_000) });
const secret = {
  host: 'db',
  port: 1433,
  username: 'app',
  password: 'x',
  ssl: 'disable' as const,
  fields: {},
};
const NEW = 'Zq9-wLx!7pRt';

const identity = (over: Record<string, unknown> = {}) => [
  [
    {
      database_name: 'sales',
      login_name: 'app',
      user_name: 'app_user',
      containment: 0,
      authentication_type: 1,
      is_policy_checked: true,
      ...over,
    },
  ],
];
const login = (name: string, over: Record<string, unknown> = {}) => ({
  name,
  type: 'S',
  default_database_name: 'sales',
  default_language_name: 'us_english',
  is_policy_checked: true,
  is_expiration_checked: false,
  is_disabled: false,
  ...over,
});
const alternate = (username: string) => ({
  username,
  newPassword: NEW,
  originalUsername: 'app',
  cloneUsername: 'app_clone',
  currentUsername: username === 'app' ? 'app_clone' : 'app',
  currentPassword: 'Cur-rent-9',
  secret,
});

describe('single-user over a recording double, not a real server', () => {
  it('login-mapped user: ALTER LOGIN with OLD_PASSWORD, values as parameters', async () => {
    const s = new RecordingSession({ 'identity read': identity({ containment: 1 }) });
    await engine.setOwnPassword(
      s,
      { username: 'app', currentPassword: 'Old-pass-1', newPassword: NEW, secret },
      context(),
    );
    expect(s.sent.at(-1)).toEqual({
      what: 'ALTER LOGIN',
      ...ownPasswordBatch('login', 'app', NEW, 'Old-pass-1'),
    });
  });

  it('contained user (authentication_type 2): ALTER USER, whatever the database containment', async () => {
    const s = new RecordingSession({
      'identity read': identity({ authentication_type: 2, user_name: 'app', login_name: 'S-1-9-3' }),
    });
    await engine.setOwnPassword(
      s,
      { username: 'app', currentPassword: 'Old-pass-1', newPassword: NEW, secret },
      context(),
    );
    expect(s.sent.at(-1)).toEqual({
      what: 'ALTER USER',
      ...ownPasswordBatch('user', 'app', NEW, 'Old-pass-1'),
    });
  });

  it.each([
    [
      'a password the policy rejects',
      { newPassword: 'alllowercase' },
      SqlServerInputError,
      /fewer than three/,
    ],
    [
      'a password over 128 characters',
      { newPassword: `Aa1!${'x'.repeat(130)}` },
      SqlServerInputError,
      /SQL Server allows 128/,
    ],
    [
      'a name over 128 characters',
      { username: 'a'.repeat(129) },
      SqlServerInputError,
      /SQL Server allows 128/,
    ],
    ['a session that is another login', { username: 'other' }, SqlServerRefusalError, /not "other"/],
  ])('refuses %s before anything changes', async (_n, over, type, message) => {
    const s = new RecordingSession({ 'identity read': identity() });
    const change = { username: 'app', currentPassword: 'Old-pass-1', newPassword: NEW, secret, ...over };
    await expect(engine.setOwnPassword(s, change, context())).rejects.toThrow(type);
    await expect(engine.setOwnPassword(s, change, context())).rejects.toThrow(message);
    expect(s.changes()).toEqual([]);
  });

  it('refuses a Windows-authenticated principal', async () => {
    const s = new RecordingSession({ 'identity read': identity({ authentication_type: 3 }) });
    await expect(
      engine.setOwnPassword(
        s,
        { username: 'app', currentPassword: 'o', newPassword: NEW, secret },
        context(),
      ),
    ).rejects.toThrow(/no password to rotate/);
    expect(s.changes()).toEqual([]);
  });

  it('testSecret proves identity: SUSER_SNAME, or USER_NAME for contained users', async () => {
    const ok = await engine.connect({
      ...secret,
      username: 'app',
      password: 'p',
      tls: false,
      connectTimeoutMs: 1,
      deadline: Deadline.after(1000),
      secret,
    });
    (ok as RecordingSession).sent.length = 0;
    const s = ok as unknown as RecordingSession;
    Object.assign(s, { answers: { 'identity read': identity() } });
    await expect(engine.runTestQuery(ok)).resolves.toBeUndefined();
    Object.assign(s, { answers: { 'identity read': identity({ login_name: 'someone' }) } });
    await expect(engine.runTestQuery(ok)).rejects.toThrow(/login "someone", not "app"/);
    Object.assign(s, {
      answers: { 'identity read': identity({ authentication_type: 2, user_name: 'app' }) },
    });
    await expect(engine.runTestQuery(ok)).resolves.toBeUndefined();
  });
});

describe('alternating users over a recording double, not a real server', () => {
  const OWNER = [{ may_grant_permissions: 1 }];
  const grants = () => [DATABASE_ROLES, DATABASE_PERMISSIONS, OWNER];
  const users = (withClone: boolean) => [
    [
      {
        name: 'app_user',
        type: 'S',
        authentication_type: 1,
        default_schema_name: 'sales',
        login_name: 'app',
        is_dbo: 0,
      },
      ...(withClone
        ? [
            {
              name: 'app_user_clone',
              type: 'S',
              authentication_type: 1,
              default_schema_name: 'sales',
              login_name: 'app_clone',
              is_dbo: 0,
            },
          ]
        : []),
    ],
  ];

  it('create: login with properties, server roles (fixed one reported), permissions by class, db user, password last', async () => {
    const s = new RecordingSession({
      'identity read': identity(),
      'login read': [[login('app')]],
      'server role read': [SERVER_ROLES.filter((r) => r.member_name === 'app')],
      'server permission read': [SERVER_PERMISSIONS.filter((r) => r.grantee_name === 'app')],
      'user read in sales': users(false),
      'grant read in sales': [
        DATABASE_ROLES.filter((r) => r.member_name === 'app_user'),
        DATABASE_PERMISSIONS.filter((r) => r.grantee_name === 'app_user'),
        OWNER,
      ],
    });
    const outcome = await engine.upsertAlternateUser(s, alternate('app_clone'), context());
    expect(outcome.created).toBe(true);
    expect(s.changes()).toEqual([
      'created login [app_clone]',
      'added [app_clone] to server role [app_monitoring]',
      'added [app_clone] to server role [processadmin]',
      // CONNECT SQL comes with CREATE LOGIN: not granted again.
      'GRANT VIEW SERVER STATE TO [app_clone]',
      'GRANT IMPERSONATE ON LOGIN::[report]er] TO [app_clone]',
      'GRANT CONNECT ON ENDPOINT::[TSQL Default TCP] TO [app_clone]',
      'created user [app_user_clone] in sales',
      'added [app_user_clone] to role [db_datareader] in sales',
      'added [app_user_clone] to role [reporting]role] in sales',
      // CONNECT comes with CREATE USER: not granted again.
      'GRANT CREATE TABLE TO [app_user_clone] in sales',
      'GRANT SELECT ON OBJECT::[sales].[orders] TO [app_user_clone] in sales',
      'DENY UPDATE ON OBJECT::[sales].[orders] ([total]) TO [app_user_clone] in sales',
      'GRANT EXECUTE ON SCHEMA::[api] TO [app_user_clone] in sales',
      'GRANT IMPERSONATE ON USER::[etl] TO [app_user_clone] in sales',
      'GRANT REFERENCES ON TYPE::[dbo].[money_t] TO [app_user_clone] in sales',
      'GRANT VIEW DEFINITION ON SYMMETRIC KEY::[k1] TO [app_user_clone] in sales',
      'GRANT CONTROL ON CERTIFICATE::[c1] TO [app_user_clone] in sales',
      'ALTER LOGIN password',
    ]);
    expect(outcome.privilegeChanges).toContain(
      "NOT synced: server role [bulkadmin] (the original is a member; this superuser may not change its members, RDS's master user is not sysadmin)",
    );
    const create = s.sent.find((x) => x.what === 'created login [app_clone]');
    expect(create?.params).toMatchObject({
      name: 'app_clone',
      default_database: 'sales',
      default_language: 'us_english',
    });
    expect(create?.params.password).not.toBe(NEW);
    expect(s.sent.at(-1)).toEqual({
      what: 'ALTER LOGIN password',
      ...setLoginPasswordBatch('app_clone', NEW),
    });
    // The grantee in the database is the clone's database user, inside USE [sales].
    const grant = s.sent.find((x) => x.what.startsWith('GRANT SELECT'));
    expect(grant?.params).toMatchObject({
      grantee: 'app_user_clone',
      rotor_database: 'sales',
      securable_schema: 'sales',
    });
    for (const sent of s.sent) expect(sent.sql).not.toContain(NEW);
  });

  it('re-sync: revokes what the original lost, fixes properties, sets the original password', async () => {
    const s = new RecordingSession({
      'identity read': identity(),
      'login read': [
        [login('app'), login('app_clone', { default_language_name: 'Deutsch', is_policy_checked: false })],
      ],
      'server role read': [SERVER_ROLES],
      'server permission read': [SERVER_PERMISSIONS],
      'user read in sales': users(true),
      'grant read in sales': grants(),
    });
    const outcome = await engine.upsertAlternateUser(s, alternate('app'), context());
    expect(outcome.created).toBe(false);
    const changes = s.changes();
    expect(changes[0]).toBe('login properties of [app_clone]: defaultLanguage, checkPolicy, checkExpiration');
    expect(changes).toContain('dropped [app_clone] from server role [setupadmin]');
    expect(changes).toContain('REVOKE ALTER TRACE FROM [app_clone]');
    expect(changes).toContain('dropped [app_user_clone] from role [db_datawriter] in sales');
    expect(changes).toContain('REVOKE DELETE ON OBJECT::[sales].[orders] FROM [app_user_clone] in sales');
    expect(changes).not.toContain('created user [app_user_clone] in sales');
    expect(changes.at(-1)).toBe('ALTER LOGIN password');
    expect(s.sent.at(-1)?.params).toEqual({ name: 'app', password: NEW });
    expect(outcome.privilegeChanges.some((c) => c.includes('[diskadmin]'))).toBe(true);
  });

  it('dbname master: mirrors the user in every database where the original login has one', async () => {
    const s = new RecordingSession({
      'identity read': identity({ database_name: 'master' }),
      'login read': [[login('app'), login('app_clone')]],
      'database list': [[{ name: 'master' }, { name: 'sales' }, { name: 'hr' }]],
      'user read in master': [[]],
      'user read in sales': users(true),
      'grant read in sales': [[], []],
      'user read in hr': [
        [
          {
            name: 'app_clone',
            type: 'S',
            authentication_type: 1,
            default_schema_name: 'dbo',
            login_name: 'app_clone',
            is_dbo: 0,
          },
        ],
      ],
      'grant read in hr': [
        [],
        [{ grantee_name: 'app_clone', class: 0, permission_name: 'CONNECT', state: 'G' }],
        OWNER,
      ],
    });
    await engine.upsertAlternateUser(s, alternate('app_clone'), context());
    expect(s.sent.map((x) => x.what)).not.toContain('grant read in master');
    // hr: the original has no user there any more, so the clone's access goes too.
    expect(s.changes()).toEqual(['REVOKE CONNECT FROM [app_clone] in hr', 'ALTER LOGIN password']);
  });

  it('contained original: a contained clone, ALTER USER for the password', async () => {
    const s = new RecordingSession({
      'identity read': identity({ containment: 1 }),
      'login read': [[]],
      'user read': [
        [
          {
            name: 'app',
            type: 'S',
            authentication_type: 2,
            default_schema_name: 'dbo',
            login_name: null,
            is_dbo: 0,
          },
        ],
      ],
      'grant read': [
        [{ member_name: 'app', role_name: 'db_datareader' }],
        [{ grantee_name: 'app', class: 0, permission_name: 'CONNECT', state: 'G' }],
        OWNER,
      ],
    });
    const outcome = await engine.upsertAlternateUser(s, alternate('app_clone'), context());
    expect(outcome.created).toBe(true);
    expect(s.changes()).toEqual([
      'created contained user [app_clone]',
      'added [app_clone] to role [db_datareader]',
      'ALTER USER password',
    ]);
    expect(s.sent.at(-1)?.sql).toContain("N'ALTER USER ' + QUOTENAME(@name)");
  });

  it.each([
    [
      'the original owns the database (dbo)',
      { 'user read in sales': [[{ name: 'dbo', type: 'S', login_name: 'app', is_dbo: 1 }]] },
      /owns database sales/,
    ],
    [
      'another principal holds the clone user name',
      {
        'user read in sales': [
          [users(false)[0]?.[0], { name: 'app_user_clone', type: 'S', login_name: null, is_dbo: 0 }],
        ],
      },
      /already has a principal "app_user_clone"/,
    ],
    [
      'the clone name is a Windows login',
      { 'login read': [[login('app'), login('app_clone', { type: 'U' })]] },
      /not a SQL Server authentication login/,
    ],
    [
      'a permission class it cannot copy',
      {
        'server permission read': [
          [
            {
              grantee_name: 'app',
              class: 108,
              class_desc: 'AVAILABILITY GROUP',
              permission_name: 'CONNECT',
              state: 'G',
            },
          ],
        ],
      },
      /class 108/,
    ],
    [
      'a password the original login policy rejects',
      { 'login read': [[login('app')]], newPassword: 'short' },
      /at least 8/,
    ],
    [
      'neither a login nor a contained user',
      { 'login read': [[]], 'user read': [[]] },
      /neither a SQL Server login nor a contained user/,
    ],
  ])('refuses when %s, before anything changes', async (_n, over, message) => {
    const { newPassword, ...answers } = over as Record<string, unknown>;
    const s = new RecordingSession({
      'identity read': identity(),
      'login read': [[login('app')]],
      'server role read': [[]],
      'server permission read': [[]],
      'user read in sales': users(false),
      'grant read in sales': [[], []],
      ...(answers as Record<string, never>),
    });
    const change = {
      ...alternate('app_clone'),
      ...(newPassword ? { newPassword: newPassword as string } : {}),
    };
    await expect(engine.upsertAlternateUser(s, change, context())).rejects.toThrow(message);
    expect(s.changes()).toEqual([]);
  });

  describe('a database role or permission this superuser may not hand out (RDS master user not db_owner)', () => {
    const connect = { grantee_name: 'app_user', class: 0, permission_name: 'CONNECT', state: 'G' };
    const notOwner = (roles: object[], permissions: object[] = [connect]) => ({
      'identity read': identity(),
      'login read': [[login('app')]],
      'server role read': [SERVER_ROLES.filter((r) => r.member_name === 'app')],
      'server permission read': [[]],
      'user read in sales': users(false),
      'grant read in sales': [roles, permissions, [{ may_grant_permissions: 0 }]],
    });

    it.each([
      [
        'a fixed role the original holds',
        [{ member_name: 'app_user', role_name: 'db_datareader', is_fixed_role: true, manageable: 0 }],
        [connect],
        /database sales: this superuser cannot copy membership of role \[db_datareader\] to the clone \(a fixed database role takes members only from db_owner; make the superuser db_owner there, or give \[app_user_clone\] these yourself\); nothing was changed/,
      ],
      [
        'a user-defined role without ALTER on it',
        [{ member_name: 'app_user', role_name: 'reporting', is_fixed_role: false, manageable: 0 }],
        [connect],
        /membership of role \[reporting\] .*ALTER on it, ALTER ANY ROLE or db_owner/,
      ],
      [
        'a permission, without db_owner or CONTROL on the database',
        [],
        [connect, ...DATABASE_PERMISSIONS.slice(2, 3)],
        /GRANT SELECT ON OBJECT::\[sales\]\.\[orders\] TO \[app_user_clone\] .*needs db_owner or CONTROL on the database/,
      ],
    ])('refuses before any change: %s', async (_n, roles, permissions, message) => {
      const s = new RecordingSession(notOwner(roles, permissions));
      const failure = engine.upsertAlternateUser(s, alternate('app_clone'), context());
      await expect(failure).rejects.toThrow(SqlServerUngrantableError);
      await expect(failure).rejects.toThrow(message);
      expect(s.changes()).toEqual([]);
    });

    it('refuses when the clone user is in a role beyond the original that it may not leave', async () => {
      const s = new RecordingSession({
        ...notOwner([
          { member_name: 'app_user_clone', role_name: 'db_owner', is_fixed_role: true, manageable: 0 },
        ]),
        'login read': [[login('app'), login('app_clone')]],
        'user read in sales': users(true),
      });
      const failure = engine.upsertAlternateUser(s, alternate('app'), context());
      await expect(failure).rejects.toThrow(/removal from role \[db_owner\]/);
      expect(s.changes()).toEqual([]);
    });

    it('completes when the clone already holds the role and nothing needs granting', async () => {
      const held = ['app_user', 'app_user_clone'].map((m) => ({
        member_name: m,
        role_name: 'db_datareader',
        is_fixed_role: true,
        manageable: 0,
      }));
      const s = new RecordingSession({
        ...notOwner(held, [connect, { ...connect, grantee_name: 'app_user_clone' }]),
        'login read': [[login('app'), login('app_clone')]],
        'user read in sales': users(true),
      });
      await engine.upsertAlternateUser(s, alternate('app'), context());
      expect(s.changes().at(-1)).toBe('ALTER LOGIN password');
      expect(s.changes().some((c) => c.includes('db_datareader'))).toBe(false);
    });

    it('a contained original is refused the same way', async () => {
      const s = new RecordingSession({
        'identity read': identity({ containment: 1 }),
        'login read': [[]],
        'user read': [
          [
            {
              name: 'app',
              type: 'S',
              authentication_type: 2,
              default_schema_name: 'dbo',
              login_name: null,
              is_dbo: 0,
            },
          ],
        ],
        'grant read': [
          [{ member_name: 'app', role_name: 'db_datawriter', is_fixed_role: true, manageable: 0 }],
          [{ grantee_name: 'app', class: 0, permission_name: 'CONNECT', state: 'G' }],
          [{ may_grant_permissions: 0 }],
        ],
      });
      await expect(engine.upsertAlternateUser(s, alternate('app_clone'), context())).rejects.toThrow(
        /membership of role \[db_datawriter\]/,
      );
      expect(s.changes()).toEqual([]);
    });
  });

  it('a driver error half-way propagates and the password is not set', async () => {
    const s = new RecordingSession({
      'identity read': identity(),
      'login read': [[login('app')]],
      'server role read': [[]],
      'server permission read': [[]],
      'user read in sales': users(false),
      'grant read in sales': [
        [],
        [{ grantee_name: 'app_user', class: 0, permission_name: 'CONNECT', state: 'G' }],
        OWNER,
      ],
      'created user [app_user_clone] in sales': () =>
        Object.assign(new Error('permission denied'), { number: 15247 }),
    });
    await expect(engine.upsertAlternateUser(s, alternate('app_clone'), context())).rejects.toThrow(
      /permission denied/,
    );
    expect(s.sent.map((x) => x.what)).not.toContain('ALTER LOGIN password');
  });

  it('privilegeEscalations: sysadmin / CONTROL SERVER originals and clone roles it cannot remove', async () => {
    const s = new RecordingSession({
      'administrative power read': [
        [{ power: 'member of sysadmin' }, { power: 'CONTROL SERVER through role ops' }],
      ],
      'server role read': [SERVER_ROLES],
    });
    const problems = await engine.privilegeEscalations?.(
      s,
      { originalUsername: 'app', cloneUsername: 'app_clone' },
      context(),
    );
    expect(problems).toEqual([
      'login "app" holds member of sysadmin: a clone would be handed administrative power over the server',
      'login "app" holds CONTROL SERVER through role ops: a clone would be handed administrative power over the server',
      'login "app_clone" is a member of server role diskadmin, which "app" is not, and this superuser may not remove it',
    ]);
    expect(s.sent[0]?.params).toEqual({ original: 'app' });
  });
});

describe('error classification from tedious shapes (pure)', () => {
  const tedious = (code: string, cause?: unknown) => Object.assign(new Error('x', { cause }), { code });
  const mssql = (inner: unknown) =>
    Object.assign(new Error('x'), { code: (inner as { code: string }).code, originalError: inner });
  it.each([
    ['18456 login failed', Object.assign(mssql(tedious('ELOGIN')), { number: 18456 }), 'authentication'],
    ['ELOGIN without number', mssql(tedious('ELOGIN')), 'authentication'],
    [
      'certificate not trusted',
      mssql(tedious('ESOCKET', Object.assign(new Error('t'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }))),
      'tls',
    ],
    [
      'host name mismatch',
      mssql(tedious('ESOCKET', Object.assign(new Error('t'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }))),
      'tls',
    ],
    ['server requires encryption', mssql(tedious('EENCRYPT')), 'tls'],
    [
      'connection refused',
      mssql(tedious('ESOCKET', Object.assign(new Error('r'), { code: 'ECONNREFUSED' }))),
      'network',
    ],
    ['connect timeout', mssql(tedious('ETIMEOUT')), 'network'],
    ['something else', new Error('boom'), 'other'],
  ])('%s', (_n, error, kind) => {
    expect(classifySqlServerError(error)).toBe(kind);
  });
});
