import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Deadline, type StrategyName } from '@rotor/rotation-core';
import { type AppUser, ConformanceHarness, describeWithDatabase, uniqueName } from '@rotor/testkit';
import { Client } from 'pg';
import { postgresEngine } from '../../src/postgres-engine';
import { md5Verifier, quoteIdent, quoteLiteral, scramSha256Verifier } from '../../src/postgres-sql';
import { asSuperuser, asUser, createTestAdapter, dropAdapterDatabases } from '../../src/testing';

/** Usernames that break naive quoting; each gets a unique suffix so runs do not collide. */
const HOSTILE_NAMES = [
  'a"b',
  "x'; DROP ROLE y; --",
  'back\\slash',
  'with space',
  'MixedCase',
  'ünïcødé_名',
  '"; DROP TABLE t; --',
];

/**
 * Every statement the engine's sessions send (application_name 'rotor'; the tests' own sessions
 * have other names), to prove the plaintext password never travels in SQL text.
 */
const statements: string[] = [];
const timings: string[] = [];

describeWithDatabase('postgres', 'postgres rotation through Secrets Manager', (server) => {
  let h: ConformanceHarness;
  let database: string;
  let querySpy: jest.SpyInstance;

  const admin = <T>(fn: (c: Client) => Promise<T>) => asSuperuser(server(), database, fn);
  const stored = (role: string) =>
    admin(async (c) => {
      const r = await c.query<{ rolpassword: string | null }>(
        'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
        [role],
      );
      return r.rows[0]?.rolpassword ?? null;
    });

  beforeAll(async () => {
    h = new ConformanceHarness(await createTestAdapter(server()));
    database = h.adapter.superuser().dbname as string;
    await h.start();
    const original = Client.prototype.query;
    querySpy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (
      this: Client,
      ...args: unknown[]
    ) {
      const first = args[0];
      const params = (this as unknown as { connectionParameters?: { application_name?: string } })
        .connectionParameters;
      if (params?.application_name === 'rotor')
        statements.push(
          typeof first === 'string' ? first : String((first as { text?: unknown })?.text ?? ''),
        );
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
  }, 120_000);

  afterAll(async () => {
    querySpy?.mockRestore();
    await h?.stop();
    await dropAdapterDatabases();
    // For `npx jest` (console is buffered: `pnpm test` shows it only when this file fails).
    if (timings.length > 0) console.log(`postgres rotation timings: ${timings.join(', ')}`);
  });

  beforeEach(() => {
    statements.length = 0;
  });

  afterEach(async () => {
    await h.assertNoSecretsLogged();
    // Only verifiers travel in the engine's statements, never a password.
    const text = statements.join('\n');
    for (const password of h.knownPasswords) {
      if (password.length >= 4 && text.includes(password)) {
        throw new Error(`a password (length ${password.length}) appeared in a statement the engine sent`);
      }
    }
  });

  /** A user with a hostile name, created like the adapter's app users, tracked for cleanup. */
  const hostileUser = async (name: string): Promise<AppUser> => {
    const user = {
      username: `${name} ${uniqueName('u')}`,
      password: h.newPassword(),
      table: uniqueName('rot_t'),
    };
    await h.adapter.createAppUser(user.username, user.password, user.table);
    h.track(user);
    return user;
  };

  const rotate = async (arn: string, strategy: StrategyName) => {
    const started = Date.now();
    const token = await h.rotate(arn, strategy);
    const stages = await h.stages(arn);
    if (!stages[token]?.includes('AWSCURRENT')) {
      const failures = h.logs.records().filter((r) => r.message === 'step failed');
      throw new Error(`rotation did not complete: ${JSON.stringify(failures.at(-1))}`);
    }
    return { token, ms: Date.now() - started };
  };

  /** Roles, memberships, role settings and the suite database's tables, minus what `ignore` names. */
  const databaseState = (ignorePasswordsOf: string[]) =>
    admin(async (c) => {
      const roles = await c.query(
        `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolconnlimit,
                rolvaliduntil, CASE WHEN rolname = ANY($1::text[]) THEN NULL ELSE md5(coalesce(rolpassword, '')) END AS pw
           FROM pg_authid ORDER BY rolname`,
        [ignorePasswordsOf],
      );
      const members = await c.query(
        `SELECT g.rolname AS role, u.rolname AS member FROM pg_auth_members m
           JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member ORDER BY 1, 2`,
      );
      const settings = await c.query(
        'SELECT setdatabase, setrole::regrole::text AS role, setconfig FROM pg_db_role_setting ORDER BY 1, 2',
      );
      const tables = await c.query(
        `SELECT relname, relowner::regrole::text AS owner, relacl::text AS acl FROM pg_class
          WHERE relnamespace = 'public'::regnamespace ORDER BY relname`,
      );
      return { roles: roles.rows, members: members.rows, settings: settings.rows, tables: tables.rows };
    });

  describe('single-user', () => {
    it('rotates: new password logs in, old one is rejected, SCRAM verifier stored, plaintext never sent', async () => {
      const user = await h.appUser('rot_su');
      const arn = await h.createSecret('app', h.secretFor(user));
      const before = await h.stages(arn);
      const first = Object.keys(before)[0] as string;

      const { token, ms } = await rotate(arn, 'single-user');
      timings.push(`single-user ${ms} ms`);

      const stages = await h.stages(arn);
      expect(stages[token]).toEqual(['AWSCURRENT']);
      expect(stages[first]).toEqual(['AWSPREVIOUS']);
      const current = await h.value(arn);
      expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
      expect(await stored(user.username)).toMatch(/^SCRAM-SHA-256\$4096:/);

      const alter = statements.filter((s) => s.startsWith('ALTER ROLE'));
      expect(alter).toHaveLength(1);
      expect(alter[0]).toMatch(new RegExp(`^ALTER ROLE "${user.username}" WITH PASSWORD 'SCRAM-SHA-256\\$`));
      expect(statements.join('\n')).not.toContain(current.password as string);
    });

    it.each(HOSTILE_NAMES)('rotates the user %j and changes nothing else in the database', async (name) => {
      const user = await hostileUser(name);
      const bystander = await h.appUser('rot_by');
      const arn = await h.createSecret('app', h.secretFor(user));
      const before = await databaseState([user.username]);

      await rotate(arn, 'single-user');

      const current = await h.value(arn);
      expect(current.username).toBe(user.username);
      expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
      expect(await h.adapter.canRead(user.username, current.password as string, user.table)).toBe(true);
      expect(await h.adapter.canLogin(bystander.username, bystander.password)).toBe(true);
      expect(await databaseState([user.username])).toEqual(before);
    });

    it('without an "ssl" key, tries verified TLS, sees the server has none, and falls back with a warning', async () => {
      const user = await h.appUser('rot_tls');
      const secret = h.secretFor(user);
      delete secret.ssl;
      const arn = await h.createSecret('app', secret);

      await rotate(arn, 'single-user');

      const warnings = h.logs
        .records()
        .filter((r) => r.level === 'warn' && /retrying without TLS/.test(String(r.message)));
      expect(warnings.length).toBeGreaterThan(0);
      const current = await h.value(arn);
      expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
    });

    it('with "ssl": true, refuses plaintext and changes nothing', async () => {
      const user = await h.appUser('rot_tls');
      const arn = await h.createSecret('app', h.secretFor(user, { ssl: true }));
      const token = await h.beginRotation(arn);
      await h.step('single-user', arn, token, 'createSecret');
      await expect(h.step('single-user', arn, token, 'setSecret')).rejects.toMatchObject({
        name: 'LoginFailedError',
        reason: 'tls',
        message: expect.stringMatching(/does not support SSL/),
      });
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
    });

    it('changes its own password even when its sessions start as another role (a clone)', async () => {
      const user = await h.appUser('rot_sr');
      const other = await h.appUser('rot_sr');
      await admin(async (c) => {
        await c.query(`GRANT ${quoteIdent(other.username)} TO ${quoteIdent(user.username)}`);
        await c.query(`ALTER ROLE ${quoteIdent(user.username)} SET role = ${quoteLiteral(other.username)}`);
      });
      const arn = await h.createSecret('app', h.secretFor(user));
      await rotate(arn, 'single-user');
      const current = await h.value(arn);
      expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
      expect(await h.adapter.canLogin(other.username, other.password)).toBe(true);
    });
  });

  describe('alternating users', () => {
    it('creates the clone as a member running as the original; objects it creates belong to the original', async () => {
      const user = await h.appUser('rot_alt');
      const superArn = await h.superuserSecret();
      const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));
      const clone = `${user.username}_clone`;

      const { ms } = await rotate(arn, 'alternating-users');
      timings.push(`alternating-users (creating the clone) ${ms} ms`);

      const current = await h.value(arn);
      expect(current.username).toBe(clone);
      expect(await stored(clone)).toMatch(/^SCRAM-SHA-256\$/);
      expect(await h.adapter.canLogin(clone, current.password as string)).toBe(true);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
      const membership = await admin((c) =>
        c.query('SELECT pg_has_role($1, $2, $3) AS member', [clone, user.username, 'MEMBER']),
      );
      expect(membership.rows[0].member).toBe(true);
      const who = await asUser(server(), database, clone, current.password as string, (c) =>
        c.query<{ session_user: string; current_user: string }>('SELECT session_user, current_user'),
      );
      expect(who.rows[0]).toEqual({ session_user: clone, current_user: user.username });
      const owner = await h.adapter.ownerOfTableCreatedBy?.(
        clone,
        current.password as string,
        `${user.table}_c`,
      );
      expect(owner).toBe(user.username);

      // A grant given to the original later reaches the clone at once, with no rotation.
      expect(await h.adapter.canInsert(clone, current.password as string, user.table)).toBe(false);
      await h.adapter.setInsertPrivilege(user.username, user.table, true);
      expect(await h.adapter.canInsert(clone, current.password as string, user.table)).toBe(true);

      // The next rotation sets the original's password and leaves the clone working.
      const second = await rotate(arn, 'alternating-users');
      timings.push(`alternating-users (clone exists) ${second.ms} ms`);
      const back = await h.value(arn);
      expect(back.username).toBe(user.username);
      expect(await h.adapter.canLogin(user.username, back.password as string)).toBe(true);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
      expect(await h.adapter.canLogin(clone, current.password as string)).toBe(true);
      expect(await stored(user.username)).toMatch(/^SCRAM-SHA-256\$/);
      expect(statements.join('\n')).not.toContain(back.password as string);
    });

    it.each(HOSTILE_NAMES)('rotates %j and its clone, changing only the clone set-up', async (name) => {
      const user = await hostileUser(name);
      const superArn = await h.superuserSecret();
      const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));
      const clone = `${user.username}_clone`;
      const before = await databaseState([user.username, clone]);

      await rotate(arn, 'alternating-users');
      await rotate(arn, 'alternating-users');

      const after = await databaseState([user.username, clone]);
      const withoutClone = {
        roles: after.roles.filter((r) => r.rolname !== clone),
        members: after.members.filter((m) => m.member !== clone),
        settings: after.settings.filter((s) => s.role !== quoteIdent(clone) && s.role !== clone),
        tables: after.tables,
      };
      expect(withoutClone).toEqual(before);
      expect(after.members).toContainEqual({ role: user.username, member: clone });
      const current = await h.value(arn);
      expect(current.username).toBe(user.username);
      expect(await h.adapter.canLogin(user.username, current.password as string)).toBe(true);
      expect(
        await h.adapter.canRead(clone, (await h.value(arn, 'AWSPREVIOUS')).password as string, user.table),
      ).toBe(true);
    });

    it('repairs a clone an AWS template made (member only, objects owned by the clone)', async () => {
      const user = await h.appUser('rot_aws');
      const clone = `${user.username}_clone`;
      const clonePassword = h.newPassword();
      await admin(async (c) => {
        await c.query(`CREATE ROLE ${quoteIdent(clone)} WITH LOGIN PASSWORD ${quoteLiteral(clonePassword)}`);
        await c.query(`GRANT ${quoteIdent(user.username)} TO ${quoteIdent(clone)}`);
      });
      const superArn = await h.superuserSecret();
      const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));

      await rotate(arn, 'alternating-users');

      expect(
        h.logs
          .records()
          .some(
            (r) =>
              r.message === 'password changed' &&
              JSON.stringify(r.privilegeChanges) === JSON.stringify([`sessions run as ${user.username}`]),
          ),
      ).toBe(true);
      const current = await h.value(arn);
      expect(
        await h.adapter.ownerOfTableCreatedBy?.(clone, current.password as string, `${user.table}_c`),
      ).toBe(user.username);
    });

    it('works with a CREATEROLE master that is not a superuser (as on RDS) and created the app user', async () => {
      const master = {
        username: uniqueName('rot_master'),
        password: h.newPassword(),
        table: uniqueName('rot_t'),
      };
      const app = { username: uniqueName('rot_rds'), password: h.newPassword(), table: uniqueName('rot_t') };
      await admin(async (c) => {
        await c.query(
          `CREATE ROLE ${quoteIdent(master.username)} WITH LOGIN CREATEROLE PASSWORD ${quoteLiteral(master.password)}`,
        );
        await c.query(`CREATE TABLE ${quoteIdent(app.table)} (id integer)`);
      });
      h.track(master);
      await asUser(server(), database, master.username, master.password, (c) =>
        c.query(`CREATE ROLE ${quoteIdent(app.username)} WITH LOGIN PASSWORD ${quoteLiteral(app.password)}`),
      );
      h.track(app);
      await admin((c) => c.query(`GRANT SELECT ON ${quoteIdent(app.table)} TO ${quoteIdent(app.username)}`));
      const masterArn = await h.createSecret('super', h.secretFor(master));
      const arn = await h.createSecret('app', h.secretFor(app, { masterarn: masterArn }));

      await rotate(arn, 'alternating-users');
      await rotate(arn, 'alternating-users');

      const current = await h.value(arn);
      const previous = await h.value(arn, 'AWSPREVIOUS');
      expect(await h.adapter.canRead(app.username, current.password as string, app.table)).toBe(true);
      expect(await h.adapter.canRead(`${app.username}_clone`, previous.password as string, app.table)).toBe(
        true,
      );
    });

    it('refuses a clone name PostgreSQL would truncate (over 63 bytes), creating nothing', async () => {
      // 60 bytes: allowed; its clone is 36 characters but 66 bytes, and the engine counts bytes.
      const user = await hostileUser('\u00e9'.repeat(26));
      expect(Buffer.byteLength(`${user.username}_clone`)).toBeGreaterThan(63);
      const superArn = await h.superuserSecret();
      const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));
      const token = await h.beginRotation(arn);
      const before = await h.snapshot(arn);
      await expect(h.step('alternating-users', arn, token, 'createSecret')).rejects.toMatchObject({
        name: 'SecretFormatError',
        message: expect.stringMatching(/is 66 bytes long; postgres allows 63/),
      });
      expect(await h.snapshot(arn)).toEqual(before);
      const truncated = await admin((c) =>
        c.query("SELECT 1 FROM pg_roles WHERE rolname LIKE '%' || $1 || '%'", [user.username.slice(0, 20)]),
      );
      expect(truncated.rowCount).toBe(1);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
    });

    it('recreates a clone that vanished while it held AWSCURRENT, with its current password', async () => {
      const user = await h.appUser('rot_gone');
      const clone = `${user.username}_clone`;
      h.track({ username: clone, password: h.newPassword(), table: uniqueName('rot_t') });
      const clonePassword = h.newPassword();
      const newPassword = h.newPassword();
      const superuser = h.adapter.superuser();
      const connection = await postgresEngine.connect({
        host: superuser.host,
        port: superuser.port,
        username: superuser.username,
        password: superuser.password,
        dbname: database,
        tls: false,
        connectTimeoutMs: 5000,
        deadline: Deadline.after(30_000),
        secret: {} as never,
      });
      try {
        const outcome = await postgresEngine.upsertAlternateUser(
          connection,
          {
            username: user.username,
            newPassword,
            originalUsername: user.username,
            cloneUsername: clone,
            currentUsername: clone,
            currentPassword: clonePassword,
            secret: {} as never,
          },
          { log: silentLog(), env: {}, deadline: Deadline.after(30_000) },
        );
        expect(outcome.created).toBe(true);
      } finally {
        await postgresEngine.close(connection);
      }
      expect(await h.adapter.canLogin(clone, clonePassword)).toBe(true);
      expect(await h.adapter.canLogin(user.username, newPassword)).toBe(true);
      expect(await h.adapter.canRead(clone, clonePassword, user.table)).toBe(true);
    });

    it('checks and upserts the clone in two statements on the superuser session: one read, one write', async () => {
      const user = await h.appUser('rot_two');
      const clone = `${user.username}_clone`;
      h.track({ username: clone, password: h.newPassword(), table: uniqueName('rot_t') });
      const superuser = h.adapter.superuser();
      const connection = await postgresEngine.connect({
        host: superuser.host,
        port: superuser.port,
        username: superuser.username,
        password: superuser.password,
        dbname: database,
        tls: false,
        connectTimeoutMs: 5000,
        deadline: Deadline.after(30_000),
        secret: {} as never,
      });
      const context = { log: silentLog(), env: {}, deadline: Deadline.after(30_000) };
      const accounts = { originalUsername: user.username, cloneUsername: clone };
      const sent: string[][] = [];
      try {
        for (const username of [clone, user.username]) {
          statements.length = 0;
          expect(await postgresEngine.privilegeEscalations?.(connection, accounts, context)).toEqual([]);
          await postgresEngine.upsertAlternateUser(
            connection,
            {
              username,
              newPassword: h.newPassword(),
              ...accounts,
              currentUsername: username === clone ? user.username : clone,
              currentPassword: user.password,
              secret: {} as never,
            },
            context,
          );
          sent.push([...statements]);
        }
      } finally {
        await postgresEngine.close(connection);
      }
      // Creating the clone, then changing the original's password once the clone exists.
      expect(sent.map((s) => s.length)).toEqual([2, 2]);
      expect(sent.map((s) => s[1]?.split(';\n').length)).toEqual([3, 1]);
    });

    it('refuses clearly when the original role does not exist, and creates nothing', async () => {
      const original = uniqueName('rot_gone');
      const superuser = h.adapter.superuser();
      const connection = await postgresEngine.connect({
        host: superuser.host,
        port: superuser.port,
        username: superuser.username,
        password: superuser.password,
        dbname: database,
        tls: false,
        connectTimeoutMs: 5000,
        deadline: Deadline.after(30_000),
        secret: {} as never,
      });
      try {
        await expect(
          postgresEngine.upsertAlternateUser(
            connection,
            {
              username: `${original}_clone`,
              newPassword: h.newPassword(),
              originalUsername: original,
              cloneUsername: `${original}_clone`,
              currentUsername: original,
              currentPassword: h.newPassword(),
              secret: {} as never,
            },
            { log: silentLog(), env: {}, deadline: Deadline.after(30_000) },
          ),
        ).rejects.toThrow(/original role .* does not exist/);
      } finally {
        await postgresEngine.close(connection);
      }
      expect(await h.adapter.userExists(`${original}_clone`)).toBe(false);
    });
  });

  describe('the engine against the real server', () => {
    const settings = (
      overrides: Partial<{ username: string; password: string; port: number; tls: false | object }>,
    ) => {
      const su = h.adapter.superuser();
      return {
        host: su.host,
        port: overrides.port ?? su.port,
        username: overrides.username ?? su.username,
        password: overrides.password ?? su.password,
        dbname: database,
        tls: (overrides.tls ?? false) as false,
        connectTimeoutMs: 2000,
        deadline: Deadline.after(30_000),
        secret: {} as never,
      };
    };
    const classify = async (s: ReturnType<typeof settings>) => {
      try {
        await postgresEngine.close(await postgresEngine.connect(s));
        return 'connected';
      } catch (error) {
        return postgresEngine.classifyConnectError(error);
      }
    };

    it('classifies the errors pg really produces', async () => {
      expect(await classify(settings({}))).toBe('connected');
      expect(await classify(settings({ password: 'wrong-password' }))).toBe('authentication');
      expect(await classify(settings({ username: uniqueName('nobody'), password: 'x' }))).toBe(
        'authentication',
      );
      expect(
        await classify(settings({ tls: { ca: [], servername: 'localhost', rejectUnauthorized: true } })),
      ).toBe('tls');
      expect(await classify(settings({ port: await closedPort() }))).toBe('network');
    });

    it('computes the verifier exactly as the server does, SASLprep included', async () => {
      const role = uniqueName('rot_vec');
      await admin((c) => c.query(`CREATE ROLE ${quoteIdent(role)} LOGIN`));
      h.track({ username: role, password: 'unused-never-logged', table: uniqueName('rot_t') });
      const passwords = [
        'pencil',
        'q\'uo"te\\',
        '\uFB01x',
        '\uFF30\uFF41\uFF53\uFF53',
        'a\u00A0b',
        'a\u05E9',
        '\u{1F110}x',
      ];
      for (const password of passwords) {
        const serverVerifier = await admin(async (c) => {
          // Test set-up only: the server computes the verifier from the plaintext.
          await c.query('SET password_encryption = "scram-sha-256"');
          await c.query(`ALTER ROLE ${quoteIdent(role)} PASSWORD ${quoteLiteral(password)}`);
          return (await c.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role])).rows[0]
            .rolpassword;
        });
        const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(serverVerifier) ?? [];
        expect(
          scramSha256Verifier(password, {
            salt: Buffer.from(salt as string, 'base64'),
            iterations: Number(iterations),
          }),
        ).toBe(serverVerifier);
      }
    });

    it('logs in with a password set through the client-side verifier (non-ASCII included)', async () => {
      for (const password of [`Pw-${randomBytes(9).toString('base64url')}`, 'p\uFB01\u00A0\uFF41ss']) {
        const role = uniqueName('rot_scram');
        await admin((c) =>
          c.query(
            `CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD ${quoteLiteral(scramSha256Verifier(password))}`,
          ),
        );
        h.track({ username: role, password, table: uniqueName('rot_t') });
        expect(await h.adapter.canLogin(role, password)).toBe(true);
        expect(await h.adapter.canLogin(role, `${password}x`)).toBe(false);
      }
    });

    it('honours password_encryption = md5 by sending the MD5 verifier, never the plaintext', async () => {
      const user = await h.appUser('rot_md5');
      await admin((c) => c.query(`ALTER ROLE ${quoteIdent(user.username)} SET password_encryption = 'md5'`));
      const newPassword = h.newPassword();
      const connection = await postgresEngine.connect(
        settings({ username: user.username, password: user.password }),
      );
      try {
        await postgresEngine.setOwnPassword(
          connection,
          { username: user.username, currentPassword: user.password, newPassword, secret: {} as never },
          { log: silentLog(), env: {}, deadline: Deadline.after(30_000) },
        );
      } finally {
        await postgresEngine.close(connection);
      }
      // The server stores exactly what was sent (this server's pg_hba only accepts SCRAM logins,
      // so the check is on the stored value).
      expect(await stored(user.username)).toBe(md5Verifier(newPassword, user.username));
      expect(statements.join('\n')).not.toContain(newPassword);
    });
  });
});

function silentLog() {
  const noop = () => {};
  return { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLog() } as never;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
