import { createServer, type Server, type Socket } from 'node:net';
import { runStatement } from './batch-executor';
import type { Scope } from './catalog-queries';
import { type Database, passwordMatches, TdsDoubleSqlError, TdsDoubleState } from './tds-state';
import { startTdsTls } from './tds-tls';
import { DONE_STATUS, DONE_TOKEN, type ResultSet, TokenStream } from './tds-tokens';
import {
  ENCRYPT,
  encodeMessage,
  type Login7,
  MessageAssembler,
  PACKET,
  type ParamValue,
  parseLogin7,
  parseRpc,
  parseSqlBatch,
  preloginEncryption,
  preloginResponse,
  type TdsMessage,
} from './tds-wire';

export interface TdsProtocolDoubleOptions {
  /** Listen address; 127.0.0.1 by default (loopback only). */
  readonly host?: string;
  readonly port?: number;
  /** The sysadmin login (like `sa`, or RDS's master user when it is given sysadmin). */
  readonly superuser: { readonly username: string; readonly password: string };
  /**
   * PEM certificate and key: a client that offers encryption gets TLS inside TDS (PRELOGIN ON);
   * one that does not gets plaintext (NOT_SUP), or REQ when `required` (Force Encryption), which
   * tedious refuses. Without it the double is plaintext-only and answers NOT_SUP.
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly required?: boolean };
}

/** One login attempt as the double saw it (no password). */
export interface LoginAttempt {
  readonly user: string;
  readonly database: string;
  /** 0 on success, else the error number sent (18456 login failed, 4060 database not accessible). */
  readonly number: number;
  /** Whether the login travelled inside TLS. */
  readonly encrypted: boolean;
}

interface Session {
  login?: string;
  containedUser?: string;
  database?: Database;
  packetSize: number;
  encrypted: boolean;
}

/** sp_executesql's special procedure id in an RPC request. */
const SP_EXECUTESQL = 10;

/**
 * A SQL Server TDS PROTOCOL TEST DOUBLE, not a database: PRELOGIN (plaintext, or TLS inside TDS
 * with a given certificate), LOGIN7 checked against its logins and contained users, and SQLBatch /
 * sp_executesql RPC requests answered by recognising the statements the SQL Server engine and its
 * test adapter send, applied to a scriptable fake catalog (`state`). No query processor, no
 * transactions, no MARS, no persistence. Unknown statements fail with error 50999 naming them.
 */
export class TdsProtocolDouble {
  readonly state: TdsDoubleState;
  readonly loginAttempts: LoginAttempt[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  host = '';
  port = 0;

  private constructor(readonly options: TdsProtocolDoubleOptions) {
    this.state = new TdsDoubleState(options.superuser);
    this.server = createServer((socket) => this.serve(socket));
  }

  static async start(options: TdsProtocolDoubleOptions): Promise<TdsProtocolDouble> {
    const double = new TdsProtocolDouble(options);
    await new Promise<void>((resolve, reject) => {
      double.server.once('error', reject);
      double.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = double.server.address();
    if (address === null || typeof address === 'string') throw new Error('TDS double has no TCP address');
    double.host = address.address;
    double.port = address.port;
    return double;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const session: Session = { packetSize: 4096, encrypted: false };
    const assembler = new MessageAssembler();
    let send = (type: number, payload: Buffer) => {
      socket.write(encodeMessage(type, payload, session.packetSize));
    };
    let close = () => socket.end();
    const receive = (chunk: Buffer) => {
      try {
        for (const message of assembler.push(chunk)) {
          const reply = this.handle(session, message, (payload) => send(PACKET.REPLY, payload), close);
          if (reply === 'start-tls') startTls();
        }
      } catch {
        // A message the double cannot read: drop the connection, as a server does on a protocol error.
        socket.destroy();
      }
    };
    let onData = receive;
    socket.on('data', (chunk: Buffer) => onData(chunk));
    const startTls = () => {
      if (!this.options.tls) return;
      const tls = startTdsTls(socket, this.options.tls);
      session.encrypted = true;
      onData = tls.feed;
      tls.secure.then(
        (clear) => {
          send = (type, payload) => clear.write(encodeMessage(type, payload, session.packetSize));
          close = () => clear.end();
          clear.on('data', receive);
          clear.on('error', () => socket.destroy());
        },
        () => socket.destroy(),
      );
    };
  }

  /** Answers one client message; 'start-tls' when the PRELOGIN agreed on encryption. */
  private handle(
    session: Session,
    message: TdsMessage,
    reply: (payload: Buffer) => void,
    close: () => void,
  ): 'start-tls' | undefined {
    switch (message.type) {
      case PACKET.PRELOGIN: {
        const offered = preloginEncryption(message.payload);
        const clientWants = offered === ENCRYPT.ON || offered === ENCRYPT.REQ;
        const tls = this.options.tls;
        const refused = tls?.required ? ENCRYPT.REQ : ENCRYPT.NOT_SUP;
        const answer = tls && clientWants ? ENCRYPT.ON : tls ? refused : ENCRYPT.NOT_SUP;
        reply(preloginResponse(answer));
        return answer === ENCRYPT.ON ? 'start-tls' : undefined;
      }
      case PACKET.LOGIN7: {
        const login = parseLogin7(message.payload);
        const tokens = this.login(session, login);
        reply(tokens.stream.toBuffer());
        if (!tokens.ok) close();
        else session.packetSize = login.packetSize;
        return undefined;
      }
      case PACKET.SQL_BATCH:
        reply(this.execute(session, parseSqlBatch(message.payload), {}, 'batch'));
        return undefined;
      case PACKET.RPC: {
        const rpc = parseRpc(message.payload);
        if (rpc.procedure !== SP_EXECUTESQL) {
          const error = new TdsDoubleSqlError(2812, `Could not find stored procedure '${rpc.procedure}'.`);
          reply(
            new TokenStream()
              .message(error.toServerMessage())
              .done(DONE_TOKEN.DONEPROC, DONE_STATUS.ERROR)
              .toBuffer(),
          );
          return undefined;
        }
        const [statement, , ...values] = rpc.params;
        const params: Record<string, ParamValue> = {};
        for (const p of values) params[p.name] = p.value;
        reply(this.execute(session, String(statement?.value ?? ''), params, 'rpc'));
        return undefined;
      }
      case PACKET.ATTENTION:
        // Requests are answered at once, so a cancel finds nothing running: acknowledge it.
        reply(new TokenStream().done(DONE_TOKEN.DONE, 0x20).toBuffer());
        return undefined;
      default:
        throw new Error(`TDS packet type 0x${message.type.toString(16)} is not supported by the double`);
    }
  }

  private login(session: Session, login: Login7): { ok: boolean; stream: TokenStream } {
    const stream = new TokenStream();
    const fail = (number: number, dbMessage?: string) => {
      this.loginAttempts.push({
        user: login.userName,
        database: login.database,
        number,
        encrypted: session.encrypted,
      });
      if (dbMessage) stream.message({ number: 4060, state: 1, severity: 11, message: dbMessage });
      stream
        .message({
          number: 18456,
          state: 1,
          severity: 14,
          message: `Login failed for user '${login.userName}'.`,
        })
        .done(DONE_TOKEN.DONE, DONE_STATUS.ERROR);
      return { ok: false, stream };
    };
    const requested = this.state.databases.get(login.database.toLowerCase());
    const contained = requested?.contained ? requested.users.get(login.userName) : undefined;
    let database: Database | undefined;
    if (contained?.authenticationType === 2) {
      if (!passwordMatches(contained.password, login.password)) return fail(18456);
      session.containedUser = contained.name;
      database = requested;
    } else {
      const account = this.state.login(login.userName);
      const sqlLogin = account?.type === 'S' ? account : undefined;
      if (!sqlLogin || !passwordMatches(sqlLogin.password, login.password)) return fail(18456);
      if (sqlLogin.disabled) return fail(18470);
      const name = login.database || sqlLogin.defaultDatabase;
      database = this.state.databases.get(name.toLowerCase());
      if (!database || this.state.databaseUserName(database, sqlLogin.name) === undefined) {
        return fail(4060, `Cannot open database "${name}" requested by the login. The login failed.`);
      }
      session.login = sqlLogin.name;
    }
    session.database = database as Database;
    this.loginAttempts.push({
      user: login.userName,
      database: login.database,
      number: 0,
      encrypted: session.encrypted,
    });
    stream
      .databaseChange(session.database.name, 'master')
      .message({
        number: 5701,
        state: 2,
        severity: 0,
        message: `Changed database context to '${session.database.name}'.`,
      })
      .collationChange()
      .loginAck()
      .packetSizeChange(login.packetSize)
      .done(DONE_TOKEN.DONE, DONE_STATUS.FINAL);
    return { ok: true, stream };
  }

  private execute(
    session: Session,
    sql: string,
    params: Record<string, ParamValue>,
    kind: 'batch' | 'rpc',
  ): Buffer {
    const stream = new TokenStream();
    const inner = kind === 'rpc' ? DONE_TOKEN.DONEINPROC : DONE_TOKEN.DONE;
    if (!session.database) throw new Error('request before login');
    const scope: Scope = {
      state: this.state,
      ...(session.login === undefined ? {} : { login: session.login }),
      ...(session.containedUser === undefined ? {} : { containedUser: session.containedUser }),
      database: session.database,
      params,
    };
    let sets: ResultSet[];
    try {
      sets = runStatement(sql, scope);
    } catch (error) {
      if (!(error instanceof TdsDoubleSqlError)) throw error;
      stream.message(error.toServerMessage());
      if (kind === 'rpc') stream.done(inner, DONE_STATUS.ERROR | DONE_STATUS.MORE).returnStatus(0);
      return stream
        .done(kind === 'rpc' ? DONE_TOKEN.DONEPROC : DONE_TOKEN.DONE, DONE_STATUS.ERROR)
        .toBuffer();
    }
    for (const set of sets)
      stream.resultSet(set).done(inner, DONE_STATUS.MORE | DONE_STATUS.COUNT, set.rows.length);
    if (kind === 'rpc') return stream.returnStatus(0).done(DONE_TOKEN.DONEPROC, DONE_STATUS.FINAL).toBuffer();
    return stream.done(DONE_TOKEN.DONE, DONE_STATUS.FINAL).toBuffer();
  }
}
