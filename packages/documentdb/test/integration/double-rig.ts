import { Deadline } from '@rotor/rotation-core';
import {
  type AppUser,
  ConformanceHarness,
  createTestCertificates,
  MongoProtocolDouble,
  type MongoProtocolDoubleOptions,
  opensslAvailable,
  type TestCertificates,
  uniqueName,
} from '@rotor/testkit';
import type { Document } from 'mongodb';
import { type MongoUser, parseUsersInfo, usersInfoCommand } from '../../src/documentdb-commands';
import {
  closeConnection,
  type DocumentDbConnection,
  openConnection,
  runCommand,
} from '../../src/documentdb-connection';
import { createDocumentDbTestAdapter, type DocumentDbTestAdapter } from '../../src/testing';

/**
 * The testkit's MongoDB PROTOCOL DOUBLE (a test double, not a server) over verified TLS, the
 * Secrets Manager emulator driven by the real SDK, and the real handlers: what the rotation tests
 * of this package run against where no MongoDB can run.
 */
export interface DoubleRig {
  readonly double: MongoProtocolDouble;
  readonly h: ConformanceHarness;
  readonly adapter: DocumentDbTestAdapter;
  /** A session as the double's root user, over the engine's own connection code. */
  rootSession(): Promise<DocumentDbConnection>;
  /** Runs one command in its own root session. */
  asRoot(db: string, command: Document): Promise<Document>;
  /** The user as usersInfo reports it (authenticationRestrictions included), or undefined. */
  user(name: string, db?: string): Promise<MongoUser | undefined>;
  /** A user created with exactly these createUser fields, tracked for cleanup. */
  createUser(fields: Document, prefix?: string): Promise<AppUser>;
  stop(): Promise<void>;
}

export const tlsAvailable = opensslAvailable();

export function skipLine(what: string): void {
  if (!tlsAvailable) process.stdout.write(`SKIP ${what}: no openssl command for test certificates\n`);
}

export async function startDoubleRig(
  options: Pick<MongoProtocolDoubleOptions, 'flavour' | 'scram'> = {},
): Promise<DoubleRig> {
  const certs: TestCertificates = createTestCertificates();
  const double = await MongoProtocolDouble.start({
    flavour: options.flavour ?? 'documentdb',
    ...(options.scram ? { scram: options.scram } : {}),
    tls: { cert: certs.cert, key: certs.key },
    rootUser: { username: 'rotor_root', password: `Root-${process.pid}-${Date.now()}-pw` },
  });
  const adapter = await createDocumentDbTestAdapter({
    label: 'mongodb-protocol-double',
    host: 'localhost',
    port: double.port,
    superuser: double.options.rootUser,
    tls: { ca: certs.ca, caPath: certs.caPath },
  });
  const h = new ConformanceHarness(adapter);
  await h.start();

  const rootSession = () =>
    openConnection({
      host: 'localhost',
      port: double.port,
      ...double.options.rootUser,
      dbname: 'admin',
      tls: { ca: [certs.ca], host: 'localhost', servername: 'localhost', rejectUnauthorized: true },
      connectTimeoutMs: 5_000,
      deadline: Deadline.after(30_000),
      secret: {
        host: 'localhost',
        port: double.port,
        ...double.options.rootUser,
        ssl: 'require',
        fields: {},
      },
    });
  const asRoot = async (db: string, command: Document) => {
    const connection = await rootSession();
    try {
      return await runCommand(connection, db, command, Object.keys(command)[0] ?? 'command');
    } finally {
      await closeConnection(connection);
    }
  };

  return {
    double,
    h,
    adapter,
    rootSession,
    asRoot,
    user: async (name, db = 'admin') => parseUsersInfo(await asRoot(db, usersInfoCommand(name, db)))[0],
    async createUser(fields, prefix = 'rot_dd') {
      const user = { username: uniqueName(prefix), password: h.newPassword(), table: uniqueName('rot_t') };
      await asRoot('admin', { createUser: user.username, pwd: user.password, ...fields });
      h.track(user);
      return user;
    },
    async stop() {
      await h.stop();
      await adapter.cleanup().catch(() => undefined);
      await double.stop();
      certs.remove();
    },
  };
}
