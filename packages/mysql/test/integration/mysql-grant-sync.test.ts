// Every REVOKE shape the grant sync can emit, run against the real server: each statement must
// parse, and after one plan the clone's SHOW GRANTS must equal the original's.
import { ConformanceHarness, describeWithDatabase, uniqueName } from '@rotor/testkit';
import type { Connection } from 'mysql2/promise';
import { mysqlEngine } from '../../src/mysql-engine';
import { planGrantSync, sameGrants } from '../../src/mysql-grant-sync';
import { parseShowGrants, type UserGrants } from '../../src/mysql-grants';
import { quoteAccount, quoteIdentifier } from '../../src/mysql-sql';
import { createTestAdapter, dropAdapterDatabases } from '../../src/testing';
import { mysqlAccounts } from './mysql-accounts';

interface Shape {
  readonly name: string;
  /** GRANT statements for the original, `{db}` and `{to}` filled in. */
  readonly original: readonly string[];
  /** GRANT statements for the clone before the sync. */
  readonly clone: readonly string[];
  /** Statements the plan must contain (the shape under test), `{db}` and `{to}` filled in. */
  readonly emits: readonly string[];
}

const SHAPES: readonly Shape[] = [
  {
    name: 'global privileges and GRANT OPTION',
    original: ['GRANT SELECT ON *.* TO {to}'],
    clone: ['GRANT SELECT, PROCESS ON *.* TO {to} WITH GRANT OPTION'],
    emits: ['REVOKE SELECT, PROCESS ON *.* FROM {to}', 'REVOKE GRANT OPTION ON *.* FROM {to}'],
  },
  {
    name: 'global ALL PRIVILEGES WITH GRANT OPTION',
    original: [],
    clone: ['GRANT ALL PRIVILEGES ON *.* TO {to} WITH GRANT OPTION'],
    emits: ['REVOKE ALL PRIVILEGES ON *.* FROM {to}', 'REVOKE GRANT OPTION ON *.* FROM {to}'],
  },
  {
    name: 'database ALL PRIVILEGES WITH GRANT OPTION, narrowed to SELECT',
    original: ['GRANT SELECT ON {db}.* TO {to}'],
    clone: ['GRANT ALL PRIVILEGES ON {db}.* TO {to} WITH GRANT OPTION'],
    emits: ['REVOKE ALL PRIVILEGES ON {db}.* FROM {to}', 'REVOKE GRANT OPTION ON {db}.* FROM {to}'],
  },
  {
    name: 'database ALL PRIVILEGES without GRANT OPTION',
    original: [],
    clone: ['GRANT ALL PRIVILEGES ON {db}.* TO {to}'],
    emits: ['REVOKE ALL PRIVILEGES ON {db}.* FROM {to}'],
  },
  {
    name: 'database privileges without GRANT OPTION',
    original: ['GRANT SELECT ON {db}.* TO {to}'],
    clone: ['GRANT SELECT, INSERT, DELETE ON {db}.* TO {to}'],
    emits: ['REVOKE INSERT, DELETE ON {db}.* FROM {to}'],
  },
  {
    name: 'database GRANT OPTION alone (USAGE WITH GRANT OPTION)',
    original: [],
    clone: ['GRANT SELECT ON {db}.* TO {to} WITH GRANT OPTION', 'REVOKE SELECT ON {db}.* FROM {to}'],
    emits: ['REVOKE GRANT OPTION ON {db}.* FROM {to}'],
  },
  {
    name: 'table ALL PRIVILEGES WITH GRANT OPTION',
    original: ['GRANT SELECT ON {db}.`t` TO {to}'],
    clone: ['GRANT ALL PRIVILEGES ON {db}.`t` TO {to} WITH GRANT OPTION'],
    emits: ['REVOKE ALL PRIVILEGES ON {db}.`t` FROM {to}', 'REVOKE GRANT OPTION ON {db}.`t` FROM {to}'],
  },
  {
    name: 'column privileges WITH GRANT OPTION',
    original: ['GRANT SELECT (`a`) ON {db}.`t` TO {to}'],
    clone: ['GRANT SELECT (`a`, `b`), UPDATE (`a`) ON {db}.`t` TO {to} WITH GRANT OPTION'],
    emits: [
      'REVOKE SELECT (`a`, `b`), UPDATE (`a`) ON {db}.`t` FROM {to}',
      'REVOKE GRANT OPTION ON {db}.`t` FROM {to}',
    ],
  },
  {
    name: 'procedure privileges WITH GRANT OPTION',
    original: ['GRANT EXECUTE ON PROCEDURE {db}.`p` TO {to}'],
    clone: ['GRANT EXECUTE, ALTER ROUTINE ON PROCEDURE {db}.`p` TO {to} WITH GRANT OPTION'],
    emits: [
      'REVOKE EXECUTE, ALTER ROUTINE ON PROCEDURE {db}.`p` FROM {to}',
      'REVOKE GRANT OPTION ON PROCEDURE {db}.`p` FROM {to}',
    ],
  },
  {
    name: 'function ALL PRIVILEGES WITH GRANT OPTION',
    original: [],
    clone: ['GRANT ALL PRIVILEGES ON FUNCTION {db}.`f` TO {to} WITH GRANT OPTION'],
    emits: ['REVOKE GRANT OPTION ON FUNCTION {db}.`f` FROM {to}'],
  },
  {
    name: 'PROXY WITH GRANT OPTION, narrowed to PROXY',
    original: ['GRANT PROXY ON {proxied} TO {to}'],
    clone: ['GRANT PROXY ON {proxied} TO {to} WITH GRANT OPTION'],
    emits: ['REVOKE PROXY ON {proxied} FROM {to}', 'GRANT PROXY ON {proxied} TO {to}'],
  },
  {
    name: 'PROXY revoked',
    original: [],
    clone: ['GRANT PROXY ON {proxied} TO {to}'],
    emits: ['REVOKE PROXY ON {proxied} FROM {to}'],
  },
  {
    name: 'role WITH ADMIN OPTION, narrowed to the role',
    original: ['GRANT {role} TO {to}'],
    clone: ['GRANT {role} TO {to} WITH ADMIN OPTION'],
    emits: ['REVOKE {role} FROM {to}', 'GRANT {role} TO {to}'],
  },
  {
    name: 'role and default role revoked',
    original: [],
    clone: ['GRANT {role} TO {to}', 'SET DEFAULT ROLE {role} FOR {to}'],
    emits: ['REVOKE {role} FROM {to}'],
  },
];

describeWithDatabase('mariadb', 'mariadb: every REVOKE shape of the grant sync', (server) => {
  let h: ConformanceHarness;
  const mysql = mysqlAccounts(() => h, server);
  let db = '';
  let role = '';
  const proxied = { user: '', password: '' };

  beforeAll(async () => {
    h = new ConformanceHarness(await createTestAdapter(server()));
    await h.start();
    db = await mysql.database();
    role = uniqueName('gs_role');
    proxied.user = uniqueName('gs_px');
    proxied.password = h.newPassword();
    await mysql.user(proxied.user, proxied.password);
    await mysql.admin(async (c) => {
      const q = quoteIdentifier(db);
      await c.query(`CREATE TABLE ${q}.t (a INT, b INT)`);
      await c.query(`CREATE PROCEDURE ${q}.p() SELECT 1`);
      await c.query(`CREATE FUNCTION ${q}.f() RETURNS INT RETURN 1`);
      await c.query(`CREATE ROLE ${quoteIdentifier(role)}`);
    });
  }, 60_000);
  afterAll(async () => {
    await mysql.admin((c) => c.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`));
    await h.stop();
    await mysql.dropDatabases();
    await dropAdapterDatabases();
  }, 60_000);

  /** Runs a statement as the account allowed to: PROXY only by the proxied user itself here. */
  const run = async (sql: string): Promise<void> => {
    if (/ PROXY ON /.test(sql)) {
      const c = await mysql.connectAs(proxied.user, proxied.password);
      try {
        await c.query(sql);
      } finally {
        await mysqlEngine.close(c);
      }
      return;
    }
    await mysql.admin((c: Connection) => c.query(sql));
  };
  const grantsOf = async (user: string): Promise<UserGrants> =>
    parseShowGrants(await mysql.showGrants(user, '%'), { user, host: '%' });

  it.each(SHAPES.map((s) => [s.name, s] as const))('%s', async (_name, shape) => {
    const original = uniqueName('gs_orig');
    const clone = uniqueName('gs_clone');
    await mysql.user(original, h.newPassword());
    await mysql.user(clone, h.newPassword());
    const fill = (sql: string, user: string) =>
      sql
        .replaceAll('{db}', quoteIdentifier(db))
        .replaceAll('{to}', quoteAccount({ user, host: '%' }))
        .replaceAll('{proxied}', quoteAccount({ user: proxied.user, host: '%' }))
        .replaceAll('{role}', quoteIdentifier(role));
    for (const sql of shape.original) await run(fill(sql, original));
    for (const sql of shape.clone) await run(fill(sql, clone));

    const plan = planGrantSync(
      await grantsOf(original),
      await grantsOf(clone),
      { user: clone, host: '%' },
      'mariadb',
    );
    for (const sql of shape.emits) expect(plan.statements).toContain(fill(sql, clone));
    for (const sql of plan.statements) await run(sql);

    expect(sameGrants(await grantsOf(original), await grantsOf(clone), 'mariadb')).toBe(true);
  });
});
