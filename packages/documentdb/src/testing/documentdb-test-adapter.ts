import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { type ConnectionSettings, Deadline } from '@rotor/rotation-core';
import type { DatabaseServer, EngineTestAdapter } from '@rotor/testkit';
import type { Document } from 'mongodb';
import {
  classifyDocumentDbError,
  type DocumentDbConnection,
  runCommand,
  serverCode,
} from '../documentdb-connection';
import { documentDbEngine } from '../documentdb-engine';

/** A server the conformance suite can use: a real MongoDB or the testkit's protocol double. */
export interface DocumentDbTestTarget {
  /** Label in test names and Lambda names, e.g. `mongodb` or `mongodb-protocol-double`. */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  /** A user with the root role in `admin`. */
  readonly superuser: { readonly username: string; readonly password: string };
  /** The CA (PEM text and file) the server's certificate chains to; absent: plaintext (`ssl: false`). */
  readonly tls?: { readonly ca: string; readonly caPath: string };
}

export interface DocumentDbTestAdapter extends EngineTestAdapter<DocumentDbConnection> {
  /** Drops what the adapter created besides the users (the role and the test database's collections). */
  cleanup(): Promise<void>;
}

/** The adapter for a real MongoDB (a superuser URL with the root role), over plaintext. */
export function createTestAdapter(server: DatabaseServer): Promise<DocumentDbTestAdapter> {
  return createDocumentDbTestAdapter({
    label: 'mongodb',
    host: server.host,
    port: server.port,
    superuser: { username: server.user, password: server.password },
  });
}

const OWN_PASSWORD_ROLE = 'rotor_test_change_own_password';
const NOT_FOUND = new Set([11, 26]);
const UNAUTHORIZED = 13;

/**
 * The conformance suite's view of a MongoDB-protocol server. App users live in `admin` (as on
 * DocumentDB), read one test database, and hold a role granting changeOwnPassword, without which
 * MongoDB refuses single-user rotation. Everything goes through the engine's own connect, so the
 * suite's checks use the same TLS settings as the handlers.
 */
export async function createDocumentDbTestAdapter(
  target: DocumentDbTestTarget,
): Promise<DocumentDbTestAdapter> {
  const dataDb = `rot_db_${randomBytes(5).toString('hex')}`;
  const settings = (username: string, password: string): ConnectionSettings => ({
    host: target.host,
    port: target.port,
    username,
    password,
    dbname: 'admin',
    tls: target.tls
      ? {
          ca: [target.tls.ca],
          host: target.host,
          ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
          rejectUnauthorized: true,
        }
      : false,
    connectTimeoutMs: 5_000,
    deadline: Deadline.after(30_000),
    secret: { host: target.host, port: target.port, username, password, ssl: 'require', fields: {} },
  });
  const as = async <T>(username: string, password: string, fn: (c: DocumentDbConnection) => Promise<T>) => {
    const c = await documentDbEngine.connect(settings(username, password));
    try {
      return await fn(c);
    } finally {
      await documentDbEngine.close(c);
    }
  };
  const su = target.superuser;
  const asRoot = <T>(fn: (c: DocumentDbConnection) => Promise<T>) => as(su.username, su.password, fn);
  const command = (c: DocumentDbConnection, db: string, cmd: Document) =>
    runCommand(c, db, cmd, Object.keys(cmd)[0] ?? '');
  const ignoring = async (codes: ReadonlySet<number>, work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      if (!codes.has(serverCode(error) ?? -1)) throw error;
    }
  };
  const allowed = async (work: () => Promise<unknown>) => {
    try {
      await work();
      return true;
    } catch (error) {
      if (serverCode(error) === UNAUTHORIZED) return false;
      throw error;
    }
  };

  await asRoot((c) =>
    ignoring(
      new Set([51002]),
      command(c, 'admin', {
        createRole: OWN_PASSWORD_ROLE,
        privileges: [{ resource: { db: 'admin', collection: '' }, actions: ['changeOwnPassword'] }],
        roles: [],
      }),
    ),
  );

  return {
    label: target.label,
    engine: documentDbEngine,
    engineValue: 'mongo',
    maxUsernameLength: documentDbEngine.maxUsernameLength({}),
    superuser: () => ({ host: target.host, port: target.port, username: su.username, password: su.password }),
    handlerEnv: (): Record<string, string> => (target.tls ? { ROTOR_CA_BUNDLE: target.tls.caPath } : {}),
    secretExtras: () => ({ ssl: target.tls !== undefined }),

    createAppUser: (username, password, table) =>
      asRoot(async (c) => {
        await command(c, dataDb, { insert: table, documents: [{ note: 'seed' }] });
        await command(c, 'admin', {
          createUser: username,
          pwd: password,
          roles: [
            { role: 'read', db: dataDb },
            { role: OWN_PASSWORD_ROLE, db: 'admin' },
          ],
        });
      }),

    dropAppUser: (username, table) =>
      asRoot(async (c) => {
        for (const user of [username, `${username}_clone`]) {
          await ignoring(NOT_FOUND, command(c, 'admin', { dropUser: user }));
        }
        await ignoring(NOT_FOUND, command(c, dataDb, { drop: table }));
      }),

    setPassword: (username, password) =>
      asRoot((c) => command(c, 'admin', { updateUser: username, pwd: password }).then(() => undefined)),

    userExists: (username) =>
      asRoot(async (c) => {
        const reply = await command(c, 'admin', { usersInfo: { user: username, db: 'admin' } });
        return Array.isArray(reply.users) && reply.users.length > 0;
      }),

    async canLogin(username, password) {
      try {
        await as(username, password, async () => undefined);
        return true;
      } catch (error) {
        if (classifyDocumentDbError(error) === 'authentication') return false;
        throw error;
      }
    },

    canRead: (username, password, table) =>
      as(username, password, (c) => allowed(() => command(c, dataDb, { find: table, filter: {} }))),

    setInsertPrivilege: (username, _table, granted) =>
      asRoot(async (c) => {
        await command(c, 'admin', {
          [granted ? 'grantRolesToUser' : 'revokeRolesFromUser']: username,
          roles: [{ role: 'readWrite', db: dataDb }],
        });
      }),

    async canInsert(username, password, table) {
      const marker = randomBytes(6).toString('hex');
      const ok = await as(username, password, (c) =>
        allowed(() => command(c, dataDb, { insert: table, documents: [{ probe: marker }] })),
      );
      if (ok) {
        await asRoot((c) =>
          command(c, dataDb, { delete: table, deletes: [{ q: { probe: marker }, limit: 0 }] }),
        );
      }
      return ok;
    },

    cleanup: () => asRoot((c) => ignoring(NOT_FOUND, command(c, 'admin', { dropRole: OWN_PASSWORD_ROLE }))),
  };
}
