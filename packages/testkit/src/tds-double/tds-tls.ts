/**
 * TLS inside TDS, server side (MS-TDS 2.2.6.5 / 3.3.5.2): the handshake travels in PRELOGIN
 * packets; once the client has its Finished, both sides send raw TLS records on the socket and
 * every TDS packet travels inside them. A Duplex between the socket and Node's TLS server socket
 * wraps and unwraps the handshake, then passes bytes straight through.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { encodeMessage, MessageAssembler, PACKET } from './tds-wire';

class HandshakeCarrier extends Duplex {
  private wrapping = true;
  private outgoing: Buffer[] = [];
  private flushScheduled = false;
  private readonly assembler = new MessageAssembler();

  constructor(private readonly socket: Socket) {
    super();
  }

  /** Bytes from the client: PRELOGIN-wrapped during the handshake, raw TLS records after it. */
  fromClient(chunk: Buffer): void {
    if (!this.wrapping) {
      this.push(chunk);
      return;
    }
    // A TLS record (0x14-0x17) where a PRELOGIN packet (0x12) would start: the client is done.
    const messages = this.assembler.push(chunk);
    for (const m of messages) this.push(m.payload);
    const rest = this.assembler.takeRest();
    if (rest.length > 0 && rest[0] !== PACKET.PRELOGIN) {
      this.wrapping = false;
      this.push(rest);
    } else if (rest.length > 0) {
      this.assembler.push(rest);
    }
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.wrapping) {
      this.socket.write(chunk, callback);
      return;
    }
    // One PRELOGIN message answers each of the client's: a flight written in pieces goes out whole.
    this.outgoing.push(chunk);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        const flight = Buffer.concat(this.outgoing);
        this.outgoing = [];
        this.socket.write(encodeMessage(PACKET.PRELOGIN, flight, 4096));
      });
    }
    callback();
  }

  override _final(callback: () => void): void {
    this.socket.end();
    callback();
  }
}

/**
 * Starts the server side of the handshake on `socket`; resolves with the cleartext stream once it
 * completes (socket data must be fed through the returned `feed`).
 */
export function startTdsTls(
  socket: Socket,
  credentials: { readonly cert: string; readonly key: string },
): { feed(chunk: Buffer): void; secure: Promise<TLSSocket> } {
  const carrier = new HandshakeCarrier(socket);
  const tls = new TLSSocket(carrier as unknown as Socket, {
    isServer: true,
    cert: credentials.cert,
    key: credentials.key,
  });
  const secure = new Promise<TLSSocket>((resolve, reject) => {
    tls.once('secure', () => resolve(tls));
    tls.once('error', reject);
  });
  return { feed: (chunk) => carrier.fromClient(chunk), secure };
}
