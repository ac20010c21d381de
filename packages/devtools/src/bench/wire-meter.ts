import { performance } from 'node:perf_hooks';
import type { TrafficObserver } from '@rotor/testkit';

/** What the meter saw on the wire; times are `performance.now()` milliseconds. */
export type WireEvent =
  | { readonly kind: 'call'; readonly operation: string; readonly start: number; readonly end: number }
  | { readonly kind: 'login'; readonly failed: boolean; readonly start: number; readonly end: number }
  | { readonly kind: 'round-trip'; readonly start: number; readonly end: number };

/** The protocol a metered proxy carries: HTTP (Secrets Manager), PostgreSQL or MySQL/MariaDB. */
export type WireProtocol = 'http' | 'postgres' | 'mysql';

interface Turn {
  start: number;
  end: number;
  answered: boolean;
  operation?: string;
}

interface Connection {
  opened: number;
  /** The login finished (either way); HTTP has none. */
  loggedIn: boolean;
  failed: boolean;
  last: 'up' | 'down' | undefined;
  turn: Turn | undefined;
  /** Server bytes of the login phase not yet parsed into whole messages. */
  pending: Buffer;
  /** PostgreSQL: the client asked for TLS; the next server byte answers it. */
  sslAnswer: boolean;
}

const PG_SSL_REQUEST = 80877103;
const SM_TARGET = /x-amz-target:\s*secretsmanager\.(\w+)/i;

/**
 * A fault-proxy observer that turns forwarded bytes into calls, logins and round trips. A round
 * trip is one client turn followed by the server's answer (the drivers here do not pipeline
 * across turns). The login phase is parsed just far enough to see how it ended: PostgreSQL's
 * ReadyForQuery or ErrorResponse, MySQL's OK or ERR packet. A connection that closes before its
 * login finished counts as a failed login; TLS (not used against these test servers) is treated
 * as a finished login whose turns then count as round trips.
 */
export class WireMeter implements TrafficObserver {
  readonly events: WireEvent[] = [];
  private readonly connections = new Map<number, Connection>();

  constructor(
    readonly protocol: WireProtocol,
    private readonly now: () => number = () => performance.now(),
  ) {}

  opened(id: number): void {
    const http = this.protocol === 'http';
    this.connections.set(id, {
      opened: this.now(),
      loggedIn: http,
      failed: false,
      last: undefined,
      turn: undefined,
      pending: Buffer.alloc(0),
      sslAnswer: false,
    });
  }

  data(id: number, toTarget: boolean, chunk: Buffer): void {
    const c = this.connections.get(id);
    if (c === undefined) return;
    const now = this.now();
    if (toTarget) {
      if (c.last !== 'up') {
        this.closeTurn(c);
        c.turn = { start: now, end: now, answered: false };
      }
      c.last = 'up';
      if (this.protocol === 'http' && c.turn && c.turn.operation === undefined) {
        const match = SM_TARGET.exec(chunk.toString('latin1'));
        if (match?.[1]) c.turn.operation = match[1];
      }
      if (!c.loggedIn) this.clientLoginBytes(c, chunk, now);
      return;
    }
    if (c.turn === undefined) c.turn = { start: now, end: now, answered: false };
    c.turn.end = now;
    c.turn.answered = true;
    c.last = 'down';
    if (!c.loggedIn) this.serverLoginBytes(c, chunk, now);
  }

  closed(id: number): void {
    const c = this.connections.get(id);
    if (c === undefined) return;
    this.connections.delete(id);
    if (!c.loggedIn) {
      this.events.push({ kind: 'login', failed: true, start: c.opened, end: this.now() });
      return;
    }
    this.closeTurn(c);
  }

  private closeTurn(c: Connection): void {
    const turn = c.turn;
    c.turn = undefined;
    if (turn === undefined || !turn.answered || !c.loggedIn || c.failed) return;
    if (this.protocol === 'http')
      this.events.push({ kind: 'call', operation: turn.operation ?? '?', start: turn.start, end: turn.end });
    else this.events.push({ kind: 'round-trip', start: turn.start, end: turn.end });
  }

  private loginEnded(c: Connection, failed: boolean, now: number): void {
    c.loggedIn = true;
    c.failed = failed;
    c.turn = undefined;
    c.pending = Buffer.alloc(0);
    this.events.push({ kind: 'login', failed, start: c.opened, end: now });
  }

  private clientLoginBytes(c: Connection, chunk: Buffer, now: number): void {
    if (this.protocol === 'postgres' && chunk.length >= 8 && chunk.readInt32BE(4) === PG_SSL_REQUEST)
      c.sslAnswer = true;
    // MySQL's SSLRequest is the client's first packet with a 32-byte payload, before its auth.
    if (this.protocol === 'mysql' && chunk.length === 36 && chunk[3] === 1) this.loginEnded(c, false, now);
  }

  private serverLoginBytes(c: Connection, chunk: Buffer, now: number): void {
    const buffer = Buffer.concat([c.pending, chunk]);
    const outcome = this.protocol === 'postgres' ? postgresLogin(c, buffer) : mysqlLogin(c, buffer);
    if (outcome !== undefined) this.loginEnded(c, outcome === 'failed', now);
  }
}

type LoginOutcome = 'ok' | 'failed' | undefined;

/** PostgreSQL startup: ReadyForQuery ends it, an ErrorResponse fails it; TLS ends what we can see. */
function postgresLogin(c: Connection, received: Buffer): LoginOutcome {
  let buffer = received;
  if (c.sslAnswer && buffer.length > 0) {
    c.sslAnswer = false;
    if (buffer[0] === 0x53) return 'ok';
    buffer = buffer.subarray(1);
  }
  while (buffer.length >= 5) {
    const length = buffer.readInt32BE(1);
    if (buffer.length < 1 + length) break;
    const type = buffer[0];
    buffer = buffer.subarray(1 + length);
    if (type === 0x45) return 'failed'; // ErrorResponse
    if (type === 0x5a) return 'ok'; // ReadyForQuery
  }
  c.pending = Buffer.from(buffer);
  return undefined;
}

/** MySQL handshake: an OK packet after the greeting ends it, an ERR packet fails it. */
function mysqlLogin(c: Connection, received: Buffer): LoginOutcome {
  let buffer = received;
  while (buffer.length >= 4) {
    const length = buffer.readUIntLE(0, 3);
    if (buffer.length < 4 + length) break;
    const sequence = buffer[3];
    const first = buffer[4];
    buffer = buffer.subarray(4 + length);
    if (first === 0xff) return 'failed';
    if (first === 0x00 && sequence !== 0) return 'ok';
  }
  c.pending = Buffer.from(buffer);
  return undefined;
}
