import {
  alterUserPasswordStatement,
  attributeStatements,
  createUserStatement,
  foldedName,
  grantStatement,
  md5PasswordHash,
  parseUserConfig,
  quoteIdent,
  quoteLiteral,
  revokeStatement,
  roleGrantStatement,
  setUserSettingStatement,
  splitSettingValue,
} from '../../src/redshift-sql';

describe('quoting', () => {
  it('always double-quotes names and doubles inner quotes', () => {
    expect(quoteIdent('app')).toBe('"app"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('with space')).toBe('"with space"');
  });

  it('refuses names Redshift cannot hold: empty, NUL, over 127 bytes (counted in UTF-8)', () => {
    expect(() => quoteIdent('')).toThrow(/empty/);
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
    expect(quoteIdent('a'.repeat(127))).toHaveLength(129);
    expect(() => quoteIdent('a'.repeat(128))).toThrow(/128 bytes.*127/);
    expect(() => quoteIdent('é'.repeat(64))).toThrow(/128 bytes/);
  });

  it('doubles single quotes in literals and refuses a backslash, which Redshift reads as an escape', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(() => quoteLiteral('a\\b')).toThrow(expect.objectContaining({ name: 'RedshiftStatementError' }));
  });

  it('folds ASCII letters only, as Redshift folds identifiers', () => {
    expect(foldedName('App_User')).toBe('app_user');
    expect(foldedName('ÜBER_x')).toBe('Über_x');
  });
});

describe('md5 password form', () => {
  it("matches the Redshift documentation's example: md5('ez' || 'user1')", () => {
    expect(md5PasswordHash('ez', 'user1')).toBe('md5153c434b4b77c89e6b94f12c5393af5b');
  });

  it('puts only the hash in ALTER USER and CREATE USER, never the sha256| form or clear text', () => {
    const hash = md5PasswordHash('Secret1Password', 'app');
    expect(alterUserPasswordStatement('app', hash)).toBe(`ALTER USER "app" PASSWORD '${hash}'`);
    expect(createUserStatement('app_clone', hash)).toBe(`CREATE USER "app_clone" PASSWORD '${hash}'`);
    expect(() => alterUserPasswordStatement('app', 'Secret1Password')).toThrow(/md5 hash/);
    expect(() => alterUserPasswordStatement('app', 'sha256|Secret1Password')).toThrow(/md5 hash/);
  });
});

describe('grant statements', () => {
  it('one database per statement, privileges checked against the object kind', () => {
    expect(grantStatement({ kind: 'database', name: 'sales_share' }, ['usage'], 'u', false)).toBe(
      'GRANT USAGE ON DATABASE "sales_share" TO "u"',
    );
    expect(() => grantStatement({ kind: 'database', name: 'd' }, ['SELECT'], 'u', false)).toThrow(
      /unknown privilege/,
    );
    expect(() =>
      grantStatement({ kind: 'table', schema: 's', name: 't' }, ['SELECT; DROP'], 'u', false),
    ).toThrow(/unknown privilege/);
  });

  it('tables, functions and procedures with grant options and revokes', () => {
    expect(
      grantStatement({ kind: 'table', schema: 'public', name: 'o"rders' }, ['SELECT', 'INSERT'], 'u', true),
    ).toBe('GRANT SELECT, INSERT ON TABLE "public"."o""rders" TO "u" WITH GRANT OPTION');
    expect(
      grantStatement(
        { kind: 'function', schema: 'public', name: 'f', argumentTypes: 'integer, character varying(10)' },
        ['EXECUTE'],
        'u',
        false,
      ),
    ).toBe('GRANT EXECUTE ON FUNCTION "public"."f"(integer, character varying(10)) TO "u"');
    expect(
      revokeStatement(
        { kind: 'procedure', schema: 'public', name: 'sp', argumentTypes: '' },
        ['EXECUTE'],
        'u',
        false,
      ),
    ).toBe('REVOKE EXECUTE ON PROCEDURE "public"."sp"() FROM "u"');
    expect(revokeStatement({ kind: 'schema', name: 's' }, ['USAGE'], 'u', true)).toBe(
      'REVOKE GRANT OPTION FOR USAGE ON SCHEMA "s" FROM "u"',
    );
  });

  it('refuses argument types that could carry more SQL', () => {
    const object = {
      kind: 'function' as const,
      schema: 's',
      name: 'f',
      argumentTypes: 'integer); DROP USER x; --',
    };
    expect(() => grantStatement(object, ['EXECUTE'], 'u', false)).toThrow(/argument types/);
  });

  it('roles and admin options', () => {
    expect(roleGrantStatement('sys:monitor', 'u', true, true)).toBe(
      'GRANT ROLE "sys:monitor" TO "u" WITH ADMIN OPTION',
    );
    expect(roleGrantStatement('r', 'u', false, false)).toBe('REVOKE ROLE "r" FROM "u"');
    expect(roleGrantStatement('r', 'u', false, true)).toBe('REVOKE ADMIN OPTION FOR ROLE "r" FROM "u"');
  });
});

describe('user attributes and settings', () => {
  it('one ALTER USER per attribute that differs', () => {
    expect(
      attributeStatements(
        'c',
        { createdb: false, syslogAccess: 'RESTRICTED' },
        { createdb: true, syslogAccess: 'UNRESTRICTED', connectionLimit: 25, sessionTimeout: 3600 },
      ),
    ).toEqual([
      'ALTER USER "c" CREATEDB',
      'ALTER USER "c" SYSLOG ACCESS UNRESTRICTED',
      'ALTER USER "c" CONNECTION LIMIT 25',
      'ALTER USER "c" SESSION TIMEOUT 3600',
    ]);
    expect(
      attributeStatements(
        'c',
        { createdb: true, syslogAccess: 'RESTRICTED', connectionLimit: 3, sessionTimeout: 60 },
        { createdb: false, syslogAccess: 'RESTRICTED' },
      ),
    ).toEqual([
      'ALTER USER "c" NOCREATEDB',
      'ALTER USER "c" CONNECTION LIMIT UNLIMITED',
      'ALTER USER "c" RESET SESSION TIMEOUT',
    ]);
  });

  it('splits stored list values and sends each element as a literal', () => {
    expect(splitSettingValue('"$user", public')).toEqual(['$user', 'public']);
    expect(splitSettingValue('"a,b", "c""d"')).toEqual(['a,b', 'c"d']);
    expect(splitSettingValue('60000')).toEqual(['60000']);
    expect(setUserSettingStatement('c', 'search_path', '"$user", public')).toBe(
      `ALTER USER "c" SET search_path = '$user', 'public'`,
    );
    expect(setUserSettingStatement('c', 'query_group', "x'; DROP USER y; --")).toBe(
      `ALTER USER "c" SET query_group = 'x''; DROP USER y; --'`,
    );
    expect(() => setUserSettingStatement('c', 'a = 1; DROP', 'x')).toThrow(/parameter name/);
  });

  it('reads useconfig as an array or as its text form', () => {
    expect(parseUserConfig(['search_path="$user", public', 'timezone=UTC'])).toEqual(
      new Map([
        ['search_path', '"$user", public'],
        ['timezone', 'UTC'],
      ]),
    );
    expect(parseUserConfig('{"search_path=\\"$user\\", public",timezone=UTC}')).toEqual(
      new Map([
        ['search_path', '"$user", public'],
        ['timezone', 'UTC'],
      ]),
    );
    expect(parseUserConfig(null)).toEqual(new Map());
  });
});
