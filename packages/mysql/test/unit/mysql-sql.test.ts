import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planGrantSync, sameGrants } from '../../src/mysql-grant-sync';
import { GrantParseError, parseShowGrants, type UserGrants } from '../../src/mysql-grants';
import {
  type AccountSettings,
  accountSettingsStatements,
  backslashEscapesFor,
  createUserStatement,
  ownPasswordStatement,
  parseServerVersion,
  pluginFromCreateUser,
  quoteAccount,
  quoteIdentifier,
  quoteLiteral,
  requireClause,
  serverUsernameLimit,
  setPasswordStatement,
} from '../../src/mysql-sql';

function fixture(name: string): string[] {
  return readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

const ESCAPING = { backslashEscapes: true };
const NO_BACKSLASH = { backslashEscapes: false };
const EMPTY: UserGrants = { privileges: [], partialRevokes: [], roles: [], proxies: [], defaultRoles: [] };

const mysql80 = parseServerVersion('8.0.40');
const mariadb = parseServerVersion('10.11.19-MariaDB-0+deb12u1');

describe('quoting', () => {
  it('backtick-quotes identifiers, doubling backticks and leaving backslashes and quotes alone', () => {
    expect(quoteIdentifier("o'q`b\\u ü")).toBe("`o'q``b\\u ü`");
    expect(quoteAccount({ user: 'a`b', host: '10.0.%' })).toBe('`a``b`@`10.0.%`');
    expect(quoteAccount({ user: 'role' })).toBe('`role`');
  });

  it('refuses NUL in identifiers', () => {
    expect(() => quoteIdentifier('a\0b')).toThrow(/NUL/);
  });

  it('escapes literals for the default sql_mode', () => {
    expect(quoteLiteral("it's \\ a\nb\0\x1a", ESCAPING)).toBe("'it''s \\\\ a\\nb\\0\\Z'");
  });

  it('leaves backslashes single under NO_BACKSLASH_ESCAPES, where they are ordinary characters', () => {
    expect(quoteLiteral("it's \\ x", NO_BACKSLASH)).toBe("'it''s \\ x'");
  });

  it('reads NO_BACKSLASH_ESCAPES from @@sql_mode', () => {
    expect(backslashEscapesFor('STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION')).toBe(true);
    expect(backslashEscapesFor('ANSI_QUOTES,no_backslash_escapes')).toBe(false);
    expect(backslashEscapesFor('')).toBe(true);
  });
});

describe('parseServerVersion', () => {
  it.each([
    ['5.7.44-log', '', 'mysql', 5, 7, 44],
    ['8.0.40', 'MySQL Community Server - GPL', 'mysql', 8, 0, 40],
    ['8.4.3', 'MySQL Community Server - GPL', 'mysql', 8, 4, 3],
    ['9.1.0', 'MySQL Community Server - GPL', 'mysql', 9, 1, 0],
    ['8.0.mysql_aurora.3.05.2', 'Source distribution', 'mysql', 8, 0, 0],
    ['10.11.19-MariaDB-0+deb12u1', 'Debian 12', 'mariadb', 10, 11, 19],
    ['5.5.5-10.11.19-MariaDB-0+deb12u1', '', 'mariadb', 10, 11, 19],
    ['11.4.3-MariaDB-ubu2404', 'mariadb.org binary distribution', 'mariadb', 11, 4, 3],
    ['10.6.16-MariaDB-log', 'Source distribution', 'mariadb', 10, 6, 16],
    ['10.5.8', 'MariaDB Server', 'mariadb', 10, 5, 8],
  ])('%s (%s) is %s %i.%i.%i', (text, comment, family, major, minor, patch) => {
    expect(parseServerVersion(text, comment)).toMatchObject({ family, major, minor, patch });
  });

  it('marks Aurora', () => {
    expect(parseServerVersion('8.0.mysql_aurora.3.05.2').aurora).toBe(true);
    expect(parseServerVersion('8.0.40').aurora).toBe(false);
  });

  it('throws on text that is not a version', () => {
    expect(() => parseServerVersion('unknown')).toThrow(/server version/);
  });

  it('knows the server username limits', () => {
    expect(serverUsernameLimit(parseServerVersion('5.6.51'))).toBe(16);
    expect(serverUsernameLimit(parseServerVersion('5.7.44'))).toBe(32);
    expect(serverUsernameLimit(parseServerVersion('9.1.0'))).toBe(32);
    expect(serverUsernameLimit(mariadb)).toBe(80);
    expect(serverUsernameLimit(parseServerVersion('5.5.68-MariaDB'))).toBe(16);
  });
});

describe('password statements', () => {
  it('MySQL 8.0.13+ sets its own password with ALTER USER ... REPLACE', () => {
    expect(ownPasswordStatement(mysql80, "n'ew", 'old\\', ESCAPING)).toBe(
      "ALTER USER CURRENT_USER() IDENTIFIED BY 'n''ew' REPLACE 'old\\\\'",
    );
  });

  it('MySQL 9.x is not mistaken for an old version', () => {
    expect(ownPasswordStatement(parseServerVersion('9.1.0'), 'n', 'o', ESCAPING)).toMatch(
      /^ALTER USER CURRENT_USER\(\)/,
    );
  });

  it('MySQL 5.7 uses ALTER USER without REPLACE; 5.6 uses PASSWORD()', () => {
    expect(ownPasswordStatement(parseServerVersion('5.7.44'), 'n', 'o', ESCAPING)).toBe(
      "ALTER USER CURRENT_USER() IDENTIFIED BY 'n'",
    );
    expect(ownPasswordStatement(parseServerVersion('5.6.51'), 'n', 'o', ESCAPING)).toBe(
      "SET PASSWORD = PASSWORD('n')",
    );
  });

  it('MariaDB uses SET PASSWORD = PASSWORD(), which keeps the account plugin', () => {
    expect(ownPasswordStatement(mariadb, 'a\\b', 'o', NO_BACKSLASH)).toBe("SET PASSWORD = PASSWORD('a\\b')");
  });

  it('MariaDB sends the hash of its own plugin when it is known, PASSWORD() otherwise', () => {
    expect(ownPasswordStatement(mariadb, 'pw1', 'o', ESCAPING, 'mysql_native_password')).toBe(
      "SET PASSWORD = '*2B602296A79E0A8784ACC5C88D92E46588CCA3C3'",
    );
    expect(ownPasswordStatement(mariadb, 'pw1', 'o', ESCAPING, 'ed25519')).toBe(
      "SET PASSWORD = '9IaQu55QANbcP3OBku7SlJub/VL12GY9ElYo6ITP9WY'",
    );
    expect(ownPasswordStatement(mariadb, 'pw1', 'o', ESCAPING, 'parsec')).toBe(
      "SET PASSWORD = PASSWORD('pw1')",
    );
  });

  it('reads the plugin from a MariaDB SHOW CREATE USER row', () => {
    expect(pluginFromCreateUser("CREATE USER `a`@`%` IDENTIFIED BY PASSWORD '*2B60'")).toBe(
      'mysql_native_password',
    );
    expect(pluginFromCreateUser("CREATE USER `a`@`%` IDENTIFIED VIA ed25519 USING '9IaQ'")).toBe('ed25519');
    expect(pluginFromCreateUser('CREATE USER `a`@`%` IDENTIFIED VIA unix_socket')).toBe('unix_socket');
    expect(
      pluginFromCreateUser("CREATE USER `a`@`%` IDENTIFIED VIA ed25519 USING 'x' OR unix_socket"),
    ).toBeUndefined();
    expect(pluginFromCreateUser("CREATE USER `a`@`%` REQUIRE SUBJECT 'IDENTIFIED VIA x'")).toBeUndefined();
  });

  it('creates accounts with the given plugin, sending the stored hash', () => {
    const created = createUserStatement(
      mysql80,
      { user: 'a_clone', host: 'localhost' },
      'caching_sha2_password',
      'p',
      ESCAPING,
    );
    expect(created).toMatch(
      /^CREATE USER `a_clone`@`localhost` IDENTIFIED WITH `caching_sha2_password` AS 0x24412430303524[0-9A-F]{126}$/,
    );
    expect(createUserStatement(mariadb, { user: 'a_clone', host: '%' }, 'ed25519', 'pw1', ESCAPING)).toBe(
      "CREATE USER `a_clone`@`%` IDENTIFIED VIA `ed25519` USING '9IaQu55QANbcP3OBku7SlJub/VL12GY9ElYo6ITP9WY'",
    );
    expect(createUserStatement(mariadb, { user: 'a_clone', host: '%' }, 'parsec', 'p', ESCAPING)).toBe(
      "CREATE USER `a_clone`@`%` IDENTIFIED VIA `parsec` USING PASSWORD('p')",
    );
    expect(
      createUserStatement(
        parseServerVersion('8.0.16'),
        { user: 'a', host: '%' },
        'mysql_native_password',
        'pw1',
        ESCAPING,
      ),
    ).toBe(
      "CREATE USER `a`@`%` IDENTIFIED WITH `mysql_native_password` AS '*2B602296A79E0A8784ACC5C88D92E46588CCA3C3'",
    );
  });

  it('sets another account password by hash, keeping or switching its plugin', () => {
    const account = { user: 'a', host: '%' };
    expect(setPasswordStatement(mysql80, account, 'p', ESCAPING)).toBe(
      "ALTER USER `a`@`%` IDENTIFIED BY 'p'",
    );
    expect(setPasswordStatement(mysql80, account, 'p', ESCAPING, undefined, 'sha256_password')).toBe(
      "ALTER USER `a`@`%` IDENTIFIED BY 'p'",
    );
    expect(setPasswordStatement(mariadb, account, 'pw1', ESCAPING, undefined, 'mysql_native_password')).toBe(
      "SET PASSWORD FOR `a`@`%` = '*2B602296A79E0A8784ACC5C88D92E46588CCA3C3'",
    );
    expect(setPasswordStatement(mariadb, account, 'p', ESCAPING)).toBe(
      "SET PASSWORD FOR `a`@`%` = PASSWORD('p')",
    );
    expect(setPasswordStatement(mysql80, account, 'pw1', ESCAPING, 'mysql_native_password')).toBe(
      `ALTER USER \`a\`@\`%\` IDENTIFIED WITH \`mysql_native_password\` AS 0x${Buffer.from('*2B602296A79E0A8784ACC5C88D92E46588CCA3C3').toString('hex').toUpperCase()}`,
    );
    expect(setPasswordStatement(mysql80, account, 'p', ESCAPING, undefined, 'caching_sha2_password')).toMatch(
      /^ALTER USER `a`@`%` IDENTIFIED WITH `caching_sha2_password` AS 0x[0-9A-F]{140}$/,
    );
  });
});

describe('account settings', () => {
  const none: AccountSettings = {
    sslType: '',
    sslCipher: '',
    x509Issuer: '',
    x509Subject: '',
    maxQuestions: 0,
    maxUpdates: 0,
    maxConnections: 0,
    maxUserConnections: 0,
  };

  it('renders every ssl_type', () => {
    expect(requireClause(none, ESCAPING)).toBe('REQUIRE NONE');
    expect(requireClause({ ...none, sslType: 'ANY' }, ESCAPING)).toBe('REQUIRE SSL');
    expect(requireClause({ ...none, sslType: 'X509' }, ESCAPING)).toBe('REQUIRE X509');
    expect(
      requireClause(
        {
          ...none,
          sslType: 'SPECIFIED',
          x509Issuer: "/CN=it's CA",
          x509Subject: '/CN=c',
          sslCipher: 'AES256-SHA',
        },
        ESCAPING,
      ),
    ).toBe("REQUIRE ISSUER '/CN=it''s CA' AND SUBJECT '/CN=c' AND CIPHER 'AES256-SHA'");
  });

  it('changes only what differs', () => {
    const clone = { user: 'a_clone', host: '%' };
    expect(accountSettingsStatements(clone, none, none, ESCAPING)).toEqual([]);
    expect(accountSettingsStatements(clone, { ...none, sslType: 'ANY' }, none, ESCAPING)).toEqual([
      'ALTER USER `a_clone`@`%` REQUIRE SSL',
    ]);
    expect(accountSettingsStatements(clone, { ...none, maxUserConnections: 5 }, none, ESCAPING)).toEqual([
      'ALTER USER `a_clone`@`%` WITH MAX_QUERIES_PER_HOUR 0 MAX_UPDATES_PER_HOUR 0 MAX_CONNECTIONS_PER_HOUR 0 MAX_USER_CONNECTIONS 5',
    ]);
  });
});

describe('parseShowGrants: MariaDB 10.11 (captured)', () => {
  const app = parseShowGrants(fixture('mariadb-10.11-app.txt'), { user: 'fx_app', host: '%' });

  it('reads global privileges and ignores IDENTIFIED, REQUIRE and limits on the row', () => {
    const global = app.privileges.filter((g) => g.level.kind === 'global').map((g) => g.privilege);
    expect(global).toEqual(['RELOAD', 'PROCESS', 'SLAVE MONITOR']);
  });

  it('reads database privileges with WITH GRANT OPTION and wildcard database names', () => {
    expect(app.privileges).toContainEqual({
      level: { kind: 'database', database: 'fx_db' },
      privilege: 'INSERT',
      grantOption: true,
    });
    expect(app.privileges).toContainEqual({
      level: { kind: 'database', database: 'fx\\_pat\\_%' },
      privilege: 'ALL PRIVILEGES',
      grantOption: false,
    });
  });

  it('reads column privileges, unicode and spaces included', () => {
    const t1 = app.privileges.filter((g) => g.level.kind === 'object' && g.level.name === 't1');
    expect(t1.map((g) => [g.privilege, g.column])).toEqual([
      ['SELECT', 'c1'],
      ['SELECT', 'c 2'],
      ['UPDATE', 'ü'],
      ['DELETE', undefined],
    ]);
  });

  it('reads routine privileges and quoted table names', () => {
    expect(app.privileges).toContainEqual({
      level: { kind: 'object', database: 'fx_db', name: 'p1', objectType: 'PROCEDURE' },
      privilege: 'ALTER ROUTINE',
      grantOption: false,
    });
    expect(app.privileges).toContainEqual({
      level: { kind: 'object', database: 'fx_db', name: 'f1', objectType: 'FUNCTION' },
      privilege: 'EXECUTE',
      grantOption: false,
    });
    expect(app.privileges).toContainEqual({
      level: { kind: 'object', database: 'fx_we`ird db', name: 't\'ab"le' },
      privilege: 'SELECT',
      grantOption: false,
    });
  });

  it('reads roles without hosts, the admin option, proxies and the default role', () => {
    expect(app.roles).toEqual([
      { role: { user: 'fx_reader' }, adminOption: false },
      { role: { user: 'fx role`2' }, adminOption: true },
    ]);
    expect(app.proxies).toEqual([{ proxied: { user: 'fx_role_user', host: '%' }, grantOption: false }]);
    expect(app.defaultRoles).toEqual([{ user: 'fx_reader' }]);
  });

  it('reads ALL PRIVILEGES ON *.* WITH GRANT OPTION', () => {
    const local = parseShowGrants(fixture('mariadb-10.11-app-localhost.txt'));
    expect(local.privileges).toEqual([
      { level: { kind: 'global' }, privilege: 'ALL PRIVILEGES', grantOption: true },
    ]);
  });

  it('reads a hostile user name and an ISSUER with a quote', () => {
    const grants = parseShowGrants(fixture('mariadb-10.11-hostile.txt'), {
      user: "fx o'q`b\\u ü",
      host: '10.0.%',
    });
    expect(grants.privileges).toEqual([
      { level: { kind: 'database', database: 'fx_we`ird db' }, privilege: 'SELECT', grantOption: false },
    ]);
    // Without knowing the grantee, the backtick-quoted name is still read.
    expect(parseShowGrants(fixture('mariadb-10.11-hostile.txt')).privileges).toHaveLength(1);
  });

  it('reads an ed25519 account and a role', () => {
    expect(parseShowGrants(fixture('mariadb-10.11-ed25519.txt')).privileges).toHaveLength(1);
    expect(parseShowGrants(fixture('mariadb-10.11-role.txt'), { user: 'fx_reader' }).privileges).toHaveLength(
      1,
    );
  });
});

describe('parseShowGrants: MySQL 5.7', () => {
  it('reads single-quoted grantees, bare column names and a repeated table-level privilege', () => {
    const grants = parseShowGrants(fixture('mysql-5.7-app.txt'), { user: 'app', host: '%' });
    const t1 = grants.privileges.filter((g) => g.level.kind === 'object' && g.level.name === 't1');
    expect(t1.map((g) => [g.privilege, g.column])).toEqual([
      ['SELECT', undefined],
      ['SELECT', 'c1'],
      ['SELECT', 'c 2'],
      ['INSERT', 'c1'],
      ['DELETE', undefined],
    ]);
    expect(grants.proxies).toEqual([{ proxied: { user: 'other', host: '%' }, grantOption: false }]);
    expect(grants.privileges.filter((g) => g.grantOption).map((g) => g.privilege)).toEqual([
      'SELECT',
      'INSERT',
      'UPDATE',
    ]);
  });

  it('skips a grantee that 5.7 wrote unescaped, given the account', () => {
    const grants = parseShowGrants(fixture('mysql-5.7-hostile.txt'), { user: "o'q`b\\u ü", host: '10.0.%' });
    expect(grants.privileges).toEqual([
      { level: { kind: 'database', database: 'we`ird db' }, privilege: 'SELECT', grantOption: false },
    ]);
  });
});

describe('parseShowGrants: MySQL 8.0 and 8.4', () => {
  const app = parseShowGrants(fixture('mysql-8.0-app.txt'), { user: 'app', host: '%' });

  it('reads dynamic privileges and their per-privilege grant option', () => {
    const global = app.privileges.filter((g) => g.level.kind === 'global');
    expect(global.map((g) => `${g.privilege}${g.grantOption ? '+' : ''}`)).toEqual([
      'RELOAD',
      'PROCESS',
      'BACKUP_ADMIN',
      'SYSTEM_VARIABLES_ADMIN',
      'FLUSH_TABLES+',
    ]);
  });

  it('reads roles with hosts and WITH ADMIN OPTION', () => {
    expect(app.roles).toEqual([
      { role: { user: 'r1', host: '%' }, adminOption: false },
      { role: { user: 'r2', host: 'localhost' }, adminOption: false },
      { role: { user: 'r_admin', host: '%' }, adminOption: true },
    ]);
  });

  it('reads partial revokes', () => {
    const grants = parseShowGrants(fixture('mysql-8.0-partial-revokes.txt'));
    expect(grants.privileges).toHaveLength(4);
    expect(
      grants.partialRevokes.map(
        (g) => `${g.privilege} ${g.level.kind === 'database' ? g.level.database : ''}`,
      ),
    ).toEqual(['INSERT mysql', 'UPDATE mysql', 'DELETE mysql', 'DELETE sys']);
  });

  it('reads hostile names and a unicode role with quotes', () => {
    const grants = parseShowGrants(fixture('mysql-8.0-hostile.txt'), { user: "o'q`b\\u ü", host: '10.0.%' });
    expect(grants.roles).toEqual([{ role: { user: 'rôle "x"', host: '%' }, adminOption: false }]);
    expect(grants.privileges).toHaveLength(1);
  });

  it('reads the 8.4 root account: static, dynamic and the empty proxy account', () => {
    const root = parseShowGrants(fixture('mysql-8.4-root.txt'));
    expect(root.privileges.filter((g) => g.privilege === 'CREATE TEMPORARY TABLES')).toHaveLength(1);
    expect(root.privileges.some((g) => g.privilege === 'TRANSACTION_GTID_TAG' && g.grantOption)).toBe(true);
    expect(root.proxies).toEqual([{ proxied: { user: '', host: '' }, grantOption: true }]);
  });

  it('reads an 8.4 application account', () => {
    const grants = parseShowGrants(fixture('mysql-8.4-app.txt'), { user: 'app', host: '%' });
    expect(grants.privileges.map((g) => g.column).filter(Boolean)).toEqual(['id', 'näme']);
    expect(grants.roles).toEqual([{ role: { user: 'app_reader', host: '%' }, adminOption: false }]);
  });

  it('throws on rows it does not understand, without quoting the row', () => {
    const row = "GRANT SELECT ON WHATEVER TO `a`@`%` IDENTIFIED BY PASSWORD '*SECRETHASH'";
    expect(() => parseShowGrants([row])).toThrow(GrantParseError);
    expect(() => parseShowGrants(['CREATE USER x'])).toThrow(/row 1/);
    expect(() => parseShowGrants([row])).toThrow(/^(?!.*SECRETHASH)/s);
  });
});

describe('planGrantSync', () => {
  const clone = { user: 'app_clone', host: '%' };

  it('copies everything onto an empty clone, grant options included', () => {
    const original = parseShowGrants(fixture('mariadb-10.11-app.txt'), { user: 'fx_app', host: '%' });
    const plan = planGrantSync(original, EMPTY, clone, 'mariadb');
    expect(plan.statements).toEqual([
      'GRANT RELOAD, PROCESS, SLAVE MONITOR ON *.* TO `app_clone`@`%`',
      'GRANT ALL PRIVILEGES ON `fx\\_pat\\_%`.* TO `app_clone`@`%`',
      'GRANT DELETE, SELECT (`c1`, `c 2`), UPDATE (`ü`) ON `fx_db`.`t1` TO `app_clone`@`%`',
      'GRANT SELECT ON `fx_we``ird db`.`t\'ab"le` TO `app_clone`@`%`',
      'GRANT EXECUTE, ALTER ROUTINE ON PROCEDURE `fx_db`.`p1` TO `app_clone`@`%`',
      'GRANT EXECUTE ON FUNCTION `fx_db`.`f1` TO `app_clone`@`%`',
      'GRANT SELECT, INSERT, UPDATE ON `fx_db`.* TO `app_clone`@`%` WITH GRANT OPTION',
      'GRANT `fx_reader` TO `app_clone`@`%`',
      'GRANT `fx role``2` TO `app_clone`@`%` WITH ADMIN OPTION',
      'GRANT PROXY ON `fx_role_user`@`%` TO `app_clone`@`%`',
      'SET DEFAULT ROLE `fx_reader` FOR `app_clone`@`%`',
    ]);
    expect(plan.changes).toHaveLength(plan.statements.length);
  });

  it('does nothing when both hold the same grants', () => {
    const a = parseShowGrants(fixture('mysql-8.0-app.txt'), { user: 'app', host: '%' });
    expect(planGrantSync(a, a, clone, 'mysql').statements).toEqual([]);
    expect(sameGrants(a, a, 'mysql')).toBe(true);
  });

  it('revokes what the original lost, before granting what it gained', () => {
    const original = parseShowGrants(['GRANT SELECT, INSERT ON `d`.* TO `app`@`%`']);
    const current = parseShowGrants([
      'GRANT SELECT, DELETE ON `d`.* TO `app_clone`@`%`',
      'GRANT `r`@`%` TO `app_clone`@`%`',
    ]);
    expect(planGrantSync(original, current, clone, 'mysql').statements).toEqual([
      'REVOKE DELETE ON `d`.* FROM `app_clone`@`%`',
      'GRANT INSERT ON `d`.* TO `app_clone`@`%`',
      'REVOKE `r`@`%` FROM `app_clone`@`%`',
    ]);
  });

  it('moves the grant option both ways', () => {
    const plain = parseShowGrants(['GRANT SELECT ON `d`.* TO `a`@`%`']);
    const withOption = parseShowGrants(['GRANT SELECT ON `d`.* TO `a`@`%` WITH GRANT OPTION']);
    expect(planGrantSync(withOption, plain, clone, 'mysql').statements).toEqual([
      'REVOKE SELECT ON `d`.* FROM `app_clone`@`%`',
      'GRANT SELECT ON `d`.* TO `app_clone`@`%` WITH GRANT OPTION',
    ]);
    expect(planGrantSync(plain, withOption, clone, 'mysql').statements).toEqual([
      'REVOKE SELECT ON `d`.* FROM `app_clone`@`%`',
      'REVOKE GRANT OPTION ON `d`.* FROM `app_clone`@`%`',
      'GRANT SELECT ON `d`.* TO `app_clone`@`%`',
    ]);
  });

  it('copies partial revokes after the global grants and default roles on MySQL', () => {
    const original: UserGrants = {
      ...parseShowGrants(fixture('mysql-8.0-partial-revokes.txt')),
      defaultRoles: [{ user: 'r1', host: '%' }],
    };
    const plan = planGrantSync(original, EMPTY, clone, 'mysql');
    expect(plan.statements[0]).toBe('GRANT SELECT, INSERT, UPDATE, DELETE ON *.* TO `app_clone`@`%`');
    expect(plan.statements).toContain('REVOKE INSERT ON `mysql`.* FROM `app_clone`@`%`');
    expect(plan.statements.at(-1)).toBe('SET DEFAULT ROLE `r1`@`%` TO `app_clone`@`%`');
  });

  it('clears default roles the original no longer has', () => {
    const current = { ...EMPTY, defaultRoles: [{ user: 'r' }] };
    expect(planGrantSync(EMPTY, current, clone, 'mariadb').statements).toEqual([
      'SET DEFAULT ROLE NONE FOR `app_clone`@`%`',
    ]);
    expect(
      planGrantSync(EMPTY, { ...current, defaultRoles: [{ user: 'r', host: '%' }] }, clone, 'mysql')
        .statements,
    ).toEqual(['SET DEFAULT ROLE NONE TO `app_clone`@`%`']);
  });
});
