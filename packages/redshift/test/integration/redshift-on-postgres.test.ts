import { Deadline, Logger } from '@rotor/rotation-core';
import {
  type AppUser,
  ConformanceHarness,
  type DatabaseServer,
  describeWithDatabase,
  EMBEDDED_MD5_ROLE_PREFIX,
  pgAdminClient,
  uniqueName,
} from '@rotor/testkit';
import type { Client } from 'pg';
import { createRedshiftEngine } from '../../src/redshift-engine';
import { md5PasswordHash, quoteIdent } from '../../src/redshift-sql';
import { createRedshiftTestAdapter } from '../../src/testing';
import { createStandInViews } from './postgres-stand-ins';

/**
 * What Redshift shares with PostgreSQL, run against the real embedded PostgreSQL: the connection,
 * quoting, CREATE/ALTER USER with an md5 hash, pg_user, pg_group, ALTER GROUP, GRANT and REVOKE,
 * ALTER USER attributes and settings. The Redshift-only views are stand-ins built on PostgreSQL's
 * catalogs (postgres-stand-ins.ts). Users are named md5_…, which the embedded server logs in with
 * the md5 method, so the hash Rotor sends is what proves the password.
 */
const STAND_IN_SCHEMA = 'redshift_standin';
const engine = createRedshiftEngine({ catalog: { schema: STAND_IN_SCHEMA } });

describeWithDatabase(
  'postgres',
  'redshift engine on PostgreSQL (md5 users, stand-in catalog views)',
  (server) => {
    let h: ConformanceHarness;
    let database: string;
    const embedded = () => server().source === 'embedded';

    const admin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
      const c = await pgAdminClient(server(), database);
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    };
    const storedPassword = (role: string) =>
      admin(async (c) => {
        const r = await c.query<{ p: string | null }>(
          'SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1',
          [role],
        );
        return r.rows[0]?.p ?? null;
      });
    const groupsOf = (role: string) =>
      admin(async (c) => {
        const r = await c.query<{ groname: string }>(
          'SELECT g.groname FROM pg_group g JOIN pg_user u ON u.usesysid = ANY(g.grolist) WHERE u.usename = $1 ORDER BY 1',
          [role],
        );
        return r.rows.map((row) => row.groname);
      });
    const rotate = async (arn: string, strategy: 'single-user' | 'alternating-users') => {
      const token = await h.rotate(arn, strategy);
      const stages = await h.stages(arn);
      if (!stages[token]?.includes('AWSCURRENT')) {
        const failures = h.logs.records().filter((r) => r.message === 'step failed');
        throw new Error(`rotation did not complete: ${JSON.stringify(failures.at(-1))}`);
      }
      return h.value(arn);
    };

    beforeAll(async () => {
      if (!embedded()) return;
      database = uniqueName('rs_db');
      const root = await pgAdminClient(server(), 'postgres');
      try {
        await root.query(`CREATE DATABASE ${quoteIdent(database)}`);
      } finally {
        await root.end();
      }
      await admin((c) => createStandInViews(c, STAND_IN_SCHEMA));
      h = new ConformanceHarness(
        createRedshiftTestAdapter({
          server: serverFor(server(), database),
          engine,
          label: 'redshift-on-postgres',
        }),
      );
      await h.start();
    }, 120_000);

    afterAll(async () => {
      await h?.stop();
      if (!database) return;
      const root = await pgAdminClient(server(), 'postgres');
      try {
        await root.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
        const left = await root.query<{ rolname: string }>(
          "SELECT rolname FROM pg_roles WHERE rolname LIKE 'md5\\_%'",
        );
        for (const { rolname } of left.rows)
          await root.query(`DROP ROLE IF EXISTS ${quoteIdent(rolname)}`).catch(() => {});
      } finally {
        await root.end();
      }
    });

    afterEach(async () => {
      if (h) await h.assertNoSecretsLogged();
    });

    /** The md5 line exists only in the testkit's embedded server; another server cannot prove md5 logins. */
    const needsEmbedded = (): boolean => {
      if (embedded()) return true;
      process.stdout.write(
        'SKIP redshift-on-postgres: needs the testkit embedded PostgreSQL (md5 pg_hba line)\n',
      );
      return false;
    };
    const md5User = (): Promise<AppUser> => h.appUser(`${EMBEDDED_MD5_ROLE_PREFIX}u`);

    it('single-user: the md5 hash is stored, the new password logs in, the old one is refused', async () => {
      if (!needsEmbedded()) return;
      const user = await md5User();
      const arn = await h.createSecret('app', h.secretFor(user));

      const current = await rotate(arn, 'single-user');

      const password = current.password as string;
      expect(await storedPassword(user.username)).toBe(md5PasswordHash(password, user.username));
      expect(await h.adapter.canLogin(user.username, password)).toBe(true);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
      expect(await h.adapter.canRead(user.username, password, user.table)).toBe(true);
      const setLines = h.logs.records().filter((r) => /md5 hash/.test(String(r.message)));
      expect(setLines.length).toBeGreaterThan(0);
    });

    it('alternating: the clone logs in with its md5 password and gets groups, grants, attributes and settings', async () => {
      if (!needsEmbedded()) return;
      const user = await md5User();
      const group = uniqueName(`${EMBEDDED_MD5_ROLE_PREFIX}g`);
      const u = quoteIdent(user.username);
      await admin(async (c) => {
        await c.query(`CREATE GROUP ${quoteIdent(group)}`);
        await c.query(`ALTER GROUP ${quoteIdent(group)} ADD USER ${u}`);
        await c.query(`GRANT INSERT ON TABLE ${quoteIdent(user.table)} TO ${u}`);
        await c.query(`GRANT CREATE ON SCHEMA public TO ${u}`);
        await c.query(`GRANT TEMPORARY ON DATABASE ${quoteIdent(database)} TO ${u}`);
        await c.query(`ALTER USER ${u} CREATEDB CONNECTION LIMIT 7`);
        await c.query(`ALTER USER ${u} SET search_path = '$user', 'public'`);
      });
      const superArn = await h.superuserSecret();
      const arn = await h.createSecret('app', h.secretFor(user, { masterarn: superArn }));
      const clone = `${user.username}_clone`;

      const first = await rotate(arn, 'alternating-users');

      expect(first.username).toBe(clone);
      const clonePassword = first.password as string;
      expect(await storedPassword(clone)).toBe(md5PasswordHash(clonePassword, clone));
      expect(await h.adapter.canLogin(clone, clonePassword)).toBe(true);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(true);
      expect(await h.adapter.canRead(clone, clonePassword, user.table)).toBe(true);
      expect(await h.adapter.canInsert(clone, clonePassword, user.table)).toBe(true);
      expect(await groupsOf(clone)).toEqual([group]);
      const role = await admin(async (c) => {
        const r = await c.query(
          `SELECT rolcreatedb, rolconnlimit, has_schema_privilege(rolname, 'public', 'CREATE') AS create_public,
                has_database_privilege(rolname, $2, 'TEMPORARY') AS temp_db,
                (SELECT setconfig FROM pg_db_role_setting WHERE setrole = r.oid AND setdatabase = 0) AS config
           FROM pg_roles r WHERE rolname = $1`,
          [clone, database],
        );
        return r.rows[0];
      });
      expect(role).toEqual({
        rolcreatedb: true,
        rolconnlimit: 7,
        create_public: true,
        temp_db: true,
        config: ['search_path="$user", public'],
      });

      // The original loses INSERT, its group and CREATEDB: the next rotation takes them from the clone.
      await admin(async (c) => {
        await c.query(`REVOKE INSERT ON TABLE ${quoteIdent(user.table)} FROM ${u}`);
        await c.query(`ALTER GROUP ${quoteIdent(group)} DROP USER ${u}`);
        await c.query(`ALTER USER ${u} NOCREATEDB`);
        await c.query(`ALTER USER ${u} RESET search_path`);
      });
      const second = await rotate(arn, 'alternating-users');
      expect(second.username).toBe(user.username);
      const originalPassword = second.password as string;
      expect(await h.adapter.canLogin(user.username, originalPassword)).toBe(true);
      expect(await h.adapter.canLogin(user.username, user.password)).toBe(false);
      expect(await storedPassword(user.username)).toBe(md5PasswordHash(originalPassword, user.username));
      expect(await h.adapter.canInsert(clone, clonePassword, user.table)).toBe(false);
      expect(await h.adapter.canRead(clone, clonePassword, user.table)).toBe(true);
      expect(await groupsOf(clone)).toEqual([]);
      const after = await admin(async (c) => {
        const r = await c.query(
          `SELECT rolcreatedb, (SELECT setconfig FROM pg_db_role_setting WHERE setrole = r.oid AND setdatabase = 0) AS config
           FROM pg_roles r WHERE rolname = $1`,
          [clone],
        );
        return r.rows[0];
      });
      expect(after).toEqual({ rolcreatedb: false, config: null });

      // A third rotation finds nothing left to change.
      await rotate(arn, 'alternating-users');
      const last = h.logs
        .records()
        .filter((r) => r.message === 'password changed')
        .at(-1);
      expect(last?.privilegeChanges).toEqual([]);
      await admin((c) => c.query(`DROP GROUP ${quoteIdent(group)}`));
    });

    describe('checks made before anything changes', () => {
      const context = () => ({
        log: new Logger({ level: 'error' }),
        env: {},
        deadline: Deadline.after(30_000),
      });
      const superSession = () =>
        engine.connect({
          host: server().host,
          port: server().port,
          username: server().user,
          password: server().password,
          dbname: database,
          tls: false,
          connectTimeoutMs: 5_000,
          deadline: Deadline.after(30_000),
          secret: {} as never,
        });

      it('privilegeEscalations refuses a superuser original, and a superuser clone of an ordinary original', async () => {
        if (!needsEmbedded()) return;
        const user = await md5User();
        const clone = `${user.username}_clone`;
        const session = await superSession();
        try {
          const accounts = { originalUsername: user.username, cloneUsername: clone };
          expect(await engine.privilegeEscalations?.(session, accounts, context())).toEqual([]);
          await admin((c) => c.query(`CREATE USER ${quoteIdent(clone)} SUPERUSER`));
          expect((await engine.privilegeEscalations?.(session, accounts, context()))?.join()).toMatch(
            /existing clone .* is a superuser and the original is not/,
          );
          await admin((c) => c.query(`ALTER USER ${quoteIdent(user.username)} SUPERUSER`));
          expect((await engine.privilegeEscalations?.(session, accounts, context()))?.join()).toMatch(
            /original user .* is a superuser \(or was made with CREATEUSER/,
          );
        } finally {
          await engine.close(session);
          await admin((c) => c.query(`ALTER USER ${quoteIdent(user.username)} NOSUPERUSER`));
        }
      });

      it('a clone name over 127 bytes is refused with a typed error and no statement is sent', async () => {
        if (!needsEmbedded()) return;
        const original = `${EMBEDDED_MD5_ROLE_PREFIX}${'x'.repeat(120)}`;
        const session = await superSession();
        const sent = jest.spyOn(session, 'query');
        try {
          await expect(
            engine.upsertAlternateUser(
              session,
              {
                username: `${original}_clone`,
                newPassword: 'Abcdefgh12345',
                originalUsername: original,
                cloneUsername: `${original}_clone`,
                currentUsername: original,
                currentPassword: 'Abcdefgh12345',
                secret: {} as never,
              },
              context(),
            ),
          ).rejects.toMatchObject({
            name: 'RedshiftUsernameError',
            message: expect.stringMatching(/130 bytes/),
          });
          expect(sent).not.toHaveBeenCalled();
        } finally {
          await engine.close(session);
        }
      });
    });
  },
);

function serverFor(server: DatabaseServer, database: string) {
  return {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database,
    ssl: false,
  };
}
