import {
  alterLoginPropertiesBatch,
  alterUserDefaultSchemaBatch,
  createContainedUserBatch,
  createLoginBatch,
  createUserForLoginBatch,
  databaseRoleMemberBatch,
  inDatabase,
  nameProblem,
  ownPasswordBatch,
  passwordPolicyProblem,
  permissionBatch,
  placeholderPassword,
  serverRoleMemberBatch,
  sessionSetupBatch,
  setContainedUserPasswordBatch,
  setLoginPasswordBatch,
} from '../../src/sqlserver-sql';

const HOSTILE = "x']; DROP LOGIN [sa]; --";
const GUARD =
  "IF @stmt IS NULL THROW 50000, N'rotor: a name or password could not be quoted (over 128 characters?)', 1;\nEXEC (@stmt);";
const LIT = (p: string) => `N'N''' + REPLACE(@${p}, N'''', N'''''') + N''''`;

/** No value reaches the text: every argument appears only in params. */
function expectNoValueInText(batch: { sql: string; params: Record<string, string> }, ...values: string[]) {
  for (const v of values) expect(batch.sql).not.toContain(v);
}

describe('statement builders', () => {
  it('own password, login: ALTER LOGIN with OLD_PASSWORD built on the server', () => {
    const b = ownPasswordBatch('login', HOSTILE, "new'pw", "old'pw");
    expect(b.sql).toBe(
      `DECLARE @stmt nvarchar(max) = N'ALTER LOGIN ' + QUOTENAME(@name) + N' WITH PASSWORD = ' + ${LIT('password')} + N' OLD_PASSWORD = ' + ${LIT('old_password')};\n${GUARD}`,
    );
    expect(b.params).toEqual({ name: HOSTILE, password: "new'pw", old_password: "old'pw" });
    expectNoValueInText(b, HOSTILE, "new'pw", "old'pw");
  });

  it('own password, contained user: ALTER USER', () => {
    expect(ownPasswordBatch('user', 'u', 'p', 'o').sql).toContain("N'ALTER USER ' + QUOTENAME(@name)");
  });

  it('superuser password resets: ALTER LOGIN / ALTER USER without OLD_PASSWORD', () => {
    expect(setLoginPasswordBatch('a', 'p')).toEqual({
      sql: `DECLARE @stmt nvarchar(max) = N'ALTER LOGIN ' + QUOTENAME(@name) + N' WITH PASSWORD = ' + ${LIT('password')};\n${GUARD}`,
      params: { name: 'a', password: 'p' },
    });
    expect(setContainedUserPasswordBatch('a', 'p').sql).toContain(
      "N'ALTER USER ' + QUOTENAME(@name) + N' WITH PASSWORD = '",
    );
  });

  it('CREATE LOGIN with the original properties, policy before expiration', () => {
    const b = createLoginBatch('app_clone', 'pw', {
      defaultDatabase: 'sales',
      defaultLanguage: 'us_english',
      checkPolicy: true,
      checkExpiration: false,
    });
    expect(b.sql.split('\n')[0]).toBe(
      `DECLARE @stmt nvarchar(max) = N'CREATE LOGIN ' + QUOTENAME(@name) + N' WITH ' + N'PASSWORD = ' + ${LIT('password')} + N', ' + N'DEFAULT_DATABASE = ' + QUOTENAME(@default_database) + N', ' + N'DEFAULT_LANGUAGE = ' + QUOTENAME(@default_language) + N', ' + N'CHECK_POLICY = ON' + N', ' + N'CHECK_EXPIRATION = OFF';`,
    );
    expect(b.params).toEqual({
      name: 'app_clone',
      password: 'pw',
      default_database: 'sales',
      default_language: 'us_english',
    });
  });

  it('ALTER LOGIN properties only for what differs; nothing when nothing does', () => {
    expect(alterLoginPropertiesBatch('c', {})).toBeUndefined();
    const b = alterLoginPropertiesBatch('c', { checkPolicy: false, checkExpiration: false });
    expect(b?.sql.split('\n')[0]).toBe(
      "DECLARE @stmt nvarchar(max) = N'ALTER LOGIN ' + QUOTENAME(@name) + N' WITH ' + N'CHECK_POLICY = OFF' + N', ' + N'CHECK_EXPIRATION = OFF';",
    );
  });

  it('role memberships, server and database', () => {
    expect(serverRoleMemberBatch('ADD', 'processadmin', HOSTILE)).toEqual({
      sql: `DECLARE @stmt nvarchar(max) = N'ALTER SERVER ROLE ' + QUOTENAME(@role) + N' ADD MEMBER ' + QUOTENAME(@member);\n${GUARD}`,
      params: { role: 'processadmin', member: HOSTILE },
    });
    expect(databaseRoleMemberBatch('DROP', 'r]x', 'u').sql).toContain(
      "N'ALTER ROLE ' + QUOTENAME(@role) + N' DROP MEMBER ' + QUOTENAME(@member)",
    );
  });

  it('database users: for a login, contained, default schema', () => {
    expect(createUserForLoginBatch('u_clone', 'app_clone', 'sales').sql.split('\n')[0]).toBe(
      "DECLARE @stmt nvarchar(max) = N'CREATE USER ' + QUOTENAME(@user) + N' FOR LOGIN ' + QUOTENAME(@login) + N' WITH DEFAULT_SCHEMA = ' + QUOTENAME(@default_schema);",
    );
    expect(createUserForLoginBatch('u', 'l', null).params).toEqual({ user: 'u', login: 'l' });
    expect(createContainedUserBatch('c', 'p', 'dbo').sql.split('\n')[0]).toBe(
      `DECLARE @stmt nvarchar(max) = N'CREATE USER ' + QUOTENAME(@user) + N' WITH PASSWORD = ' + ${LIT('password')} + N', DEFAULT_SCHEMA = ' + QUOTENAME(@default_schema);`,
    );
    expect(alterUserDefaultSchemaBatch('u', 's').params).toEqual({ user: 'u', default_schema: 's' });
  });

  it('permissions: name checked against sys.fn_builtin_permissions, every name quoted', () => {
    const b = permissionBatch(
      {
        verb: 'DENY',
        cascade: true,
        permission: {
          permission: 'UPDATE',
          state: 'D',
          securable: { scope: 'column', schema: 's', name: 'o', column: 'c' },
        },
      },
      'g',
    );
    expect(b.sql).toBe(
      [
        'IF NOT EXISTS (SELECT 1 FROM sys.fn_builtin_permissions(DEFAULT) WHERE permission_name = @permission)',
        "  THROW 50000, N'rotor: not a SQL Server permission name', 1;",
        `DECLARE @stmt nvarchar(max) = N'DENY ' + @permission + N' ON OBJECT::' + QUOTENAME(@securable_schema) + N'.' + QUOTENAME(@securable) + N' (' + QUOTENAME(@securable_column) + N')' + N' TO ' + QUOTENAME(@grantee) + N' CASCADE';`,
        GUARD,
      ].join('\n'),
    );
    expect(b.params).toEqual({
      permission: 'UPDATE',
      grantee: 'g',
      securable_schema: 's',
      securable: 'o',
      securable_column: 'c',
    });
    const server = {
      permission: 'VIEW SERVER STATE',
      state: 'W' as const,
      securable: { scope: 'server' as const },
    };
    expect(permissionBatch({ verb: 'GRANT', withGrantOption: true, permission: server }, 'g').sql).toContain(
      "N'GRANT ' + @permission + N' TO ' + QUOTENAME(@grantee) + N' WITH GRANT OPTION';",
    );
    expect(permissionBatch({ verb: 'REVOKE', cascade: false, permission: server }, 'g').sql).toContain(
      "N'REVOKE ' + @permission + N' FROM ' + QUOTENAME(@grantee);",
    );
    expect(permissionBatch({ verb: 'REVOKE GRANT OPTION FOR', permission: server }, 'g').sql).toContain(
      "N'REVOKE GRANT OPTION FOR ' + @permission + N' FROM ' + QUOTENAME(@grantee) + N' CASCADE';",
    );
    const endpoint = {
      permission: 'CONNECT',
      state: 'G' as const,
      securable: { scope: 'named' as const, keyword: 'ENDPOINT', name: 'TSQL Default TCP' },
    };
    expect(
      permissionBatch({ verb: 'GRANT', withGrantOption: false, permission: endpoint }, 'g').sql,
    ).toContain(
      "N'GRANT ' + @permission + N' ON ENDPOINT::' + QUOTENAME(@securable) + N' TO ' + QUOTENAME(@grantee);",
    );
  });

  it('inDatabase: USE through QUOTENAME, the inner batch and its parameters passed to sp_executesql', () => {
    const inner = databaseRoleMemberBatch('ADD', 'r', 'm');
    expect(inDatabase("sa'les]", inner)).toEqual({
      sql: [
        "DECLARE @rotor_batch nvarchar(max) = N'USE ' + QUOTENAME(@rotor_database) + N';' + NCHAR(10) + @rotor_inner;",
        "IF @rotor_batch IS NULL THROW 50000, N'rotor: the database name could not be quoted', 1;",
        "EXEC sys.sp_executesql @rotor_batch, N'@role nvarchar(max), @member nvarchar(max)', @role = @role, @member = @member;",
      ].join('\n'),
      params: { role: 'r', member: 'm', rotor_database: "sa'les]", rotor_inner: inner.sql },
    });
    expect(inDatabase('d', { sql: 'SELECT 1;', params: {} }).sql).toContain(
      'EXEC sys.sp_executesql @rotor_batch;',
    );
  });

  it('session setup: lock timeout from the deadline, an integer', () => {
    expect(sessionSetupBatch(2500.7)).toEqual({
      sql: 'SET LOCK_TIMEOUT 2500;\nSET XACT_ABORT ON;',
      params: {},
    });
    expect(sessionSetupBatch(0).sql).toContain('SET LOCK_TIMEOUT 1;');
  });
});

describe('input checks', () => {
  it('names over 128 characters and empty names are refused', () => {
    expect(nameProblem('a'.repeat(128), 'the username')).toBeUndefined();
    expect(nameProblem('a'.repeat(129), 'the username')).toMatch(
      /129 characters long; SQL Server allows 128/,
    );
    expect(nameProblem('', 'the username')).toMatch(/empty/);
  });

  it('passwords: 128 characters always; complexity and account name when the policy is checked', () => {
    expect(passwordPolicyProblem('a'.repeat(129), 'u', false)).toMatch(/129 characters long/);
    expect(passwordPolicyProblem('abcdefgh', 'u', false)).toBeUndefined();
    expect(passwordPolicyProblem('Ab1!', 'u', true)).toMatch(/at least 8/);
    expect(passwordPolicyProblem('abcdefgh12', 'u', true)).toMatch(/fewer than three/);
    expect(passwordPolicyProblem('xxAPPuser1!', 'appuser', true)).toMatch(/contains the account name/);
    expect(passwordPolicyProblem('Zq9-wLx!7pRt', 'appuser', true)).toBeUndefined();
  });

  it('the placeholder password passes any policy and is never the same twice', () => {
    const a = placeholderPassword();
    expect(passwordPolicyProblem(a, 'app', true)).toBeUndefined();
    expect(placeholderPassword()).not.toBe(a);
  });
});
