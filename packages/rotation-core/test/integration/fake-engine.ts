import type { ConnectFailureKind, DatabaseEngine } from '../../src';

/**
 * An in-memory stand-in for a database, for testing the protocol logic in rotation-core (stage
 * checks, strategies, TLS policy, call counts) against the real emulator. Engines are tested
 * against real servers in their own packages.
 */
export interface FakeDatabase {
  users: Map<string, string>;
  tls: boolean;
  /** Every connection attempt, with whether TLS was asked for. */
  attempts: { username: string; tls: boolean }[];
  /** When set, the next connect fails with this message (which may echo a secret, as some drivers do). */
  failNextConnectWith?: string;
}

export interface FakeConnection {
  username: string;
}

class FakeError extends Error {
  constructor(
    message: string,
    readonly kind: ConnectFailureKind,
  ) {
    super(message);
    this.name = 'FakeDriverError';
  }
}

export function fakeDatabase(users: Record<string, string> = {}, tls = true): FakeDatabase {
  return { users: new Map(Object.entries(users)), tls, attempts: [] };
}

export function fakeEngine(db: FakeDatabase): DatabaseEngine<FakeConnection> {
  return {
    family: 'fake',
    engineNames: ['fake'],
    settings: [],
    defaultPort: 1111,
    defaultExcludeCharacters: '/@"\'\\',
    maxUsernameLength: () => 16,
    async connect(settings) {
      db.attempts.push({ username: settings.username, tls: settings.tls !== false });
      if (db.failNextConnectWith) {
        const message = db.failNextConnectWith;
        db.failNextConnectWith = undefined;
        throw new FakeError(message, 'other');
      }
      if (settings.tls && !db.tls) throw new FakeError('server does not support TLS', 'tls');
      if (db.users.get(settings.username) !== settings.password) {
        throw new FakeError(
          `password authentication failed for user "${settings.username}"`,
          'authentication',
        );
      }
      return { username: settings.username };
    },
    async close() {},
    classifyConnectError: (error) => (error instanceof FakeError ? error.kind : 'other'),
    async runTestQuery() {},
    async setOwnPassword(connection, change) {
      db.users.set(connection.username, change.newPassword);
    },
    async upsertAlternateUser(_superuser, change) {
      const created = !db.users.has(change.cloneUsername);
      db.users.set(change.username, change.newPassword);
      return { created, privilegeChanges: [] };
    },
  };
}
