import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Document } from 'bson';
import { dispatchCommand, type Session } from './command-dispatch';
import { SCRAM_MECHANISMS, type ScramMechanism } from './scram';
import { UserDirectory } from './user-directory';
import { encodeReply, parseRequest, splitFrames } from './wire-messages';

export interface MongoProtocolDoubleOptions {
  /** Listen address; 127.0.0.1 by default (loopback only). */
  readonly host?: string;
  readonly port?: number;
  /** PEM certificate and key: the double then speaks TLS only, like a DocumentDB cluster with `tls` on. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /**
   * `documentdb` adds the `serviceadmin` user (no login, cannot be changed or dropped) and reports
   * DocumentDB's version; `mongodb` (default) behaves as a plain mongod.
   */
  readonly flavour?: 'mongodb' | 'documentdb';
  /**
   * `sha1-only` is a server before DocumentDB 5.0.1: hello lists no `saslSupportedMechs`, SCRAM-SHA-256
   * is refused (MechanismUnavailable) and users get SCRAM-SHA-1 keys only.
   */
  readonly scram?: 'sha1-and-sha256' | 'sha1-only';
  /**
   * The wire version `hello` reports; by default MongoDB 5.0's (13) for the DocumentDB flavour and
   * 7.0's (21) otherwise. DocumentDB 4.0 reports MongoDB 4.0's (7).
   */
  readonly maxWireVersion?: number;
  /** The first user, in `admin` with the `root` role. */
  readonly rootUser: { readonly username: string; readonly password: string };
}

/**
 * A MongoDB wire-protocol TEST DOUBLE, not a database server: it answers the commands the rotation
 * engine and its tests send (hello, SCRAM-SHA-1/256 logins checked against stored keys, the user
 * commands with MongoDB's authorization rules and error codes, ping, connectionStatus, and a
 * minimal find/insert/delete over in-memory documents) to the official driver, over TCP or TLS.
 * It exists because no MongoDB or DocumentDB server can run where these tests run; it has no
 * query language, no indexes, no replication, no persistence.
 */
export class MongoProtocolDouble {
  readonly directory: UserDirectory;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  private readonly collections = new Map<string, Document[]>();
  host = '';
  port = 0;
  /**
   * Runs before each command is answered, with the command (its `$db` included): lets a test make
   * a change land first, as another client racing the one under test would, or (returning
   * `'no-reply'`) leave the command unanswered, as a server that stopped responding.
   */
  beforeCommand: ((command: Document) => undefined | 'no-reply') | undefined;

  private constructor(readonly options: MongoProtocolDoubleOptions) {
    const sha1Only = options.scram === 'sha1-only';
    this.directory = new UserDirectory(sha1Only ? ['SCRAM-SHA-1'] : SCRAM_MECHANISMS);
    const root = options.rootUser;
    this.directory.create(
      {
        user: root.username,
        db: 'admin',
        roles: [{ role: 'root', db: 'admin' }],
        mechanisms: this.mechanisms(),
      },
      root.password,
    );
    if (this.documentdb) {
      this.directory.create(
        {
          user: 'serviceadmin',
          db: 'admin',
          roles: [{ role: 'root', db: 'admin' }],
          mechanisms: ['SCRAM-SHA-1'],
        },
        `${Math.random()}${Date.now()}`,
      );
    }
    const onSocket = (socket: Socket) => this.serve(socket);
    this.server = options.tls
      ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onSocket)
      : createNetServer(onSocket);
  }

  static async start(options: MongoProtocolDoubleOptions): Promise<MongoProtocolDouble> {
    const double = new MongoProtocolDouble(options);
    await new Promise<void>((resolve, reject) => {
      double.server.once('error', reject);
      double.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = double.server.address();
    if (address === null || typeof address === 'string')
      throw new Error('protocol double has no TCP address');
    double.host = address.address;
    double.port = address.port;
    return double;
  }

  get documentdb(): boolean {
    return this.options.flavour === 'documentdb';
  }

  /** Superuser URL for the driver (password included: never log it). */
  url(host = this.host): string {
    const { username, password } = this.options.rootUser;
    const tls = this.options.tls ? '&tls=true' : '';
    return `mongodb://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${this.port}/admin?directConnection=true${tls}`;
  }

  mechanisms(): ScramMechanism[] {
    return [...this.directory.supportedMechanisms];
  }

  /** The in-memory documents of `db.collection` (created on first use). */
  collection(db: string, name: string): Document[] {
    const key = `${db}.${name}`;
    let docs = this.collections.get(key);
    if (!docs) {
      docs = [];
      this.collections.set(key, docs);
    }
    return docs;
  }

  dropCollection(db: string, name: string): void {
    this.collections.delete(`${db}.${name}`);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const session: Session = {
      connectionId: this.nextConnectionId++,
      remoteAddress: socket.remoteAddress ?? '',
      conversations: new Map(),
      nextConversationId: 1,
    };
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      try {
        const { frames, rest } = splitFrames(Buffer.concat([pending, chunk]));
        pending = rest;
        for (const frame of frames) {
          const request = parseRequest(frame);
          if (this.beforeCommand?.(request.command) === 'no-reply') continue;
          const reply = dispatchCommand(this, session, request.command);
          if (!request.noReply) socket.write(encodeReply(request, reply));
        }
      } catch {
        // A frame the double cannot read: drop the connection, as a server does on a protocol error.
        socket.destroy();
      }
    });
  }
}
