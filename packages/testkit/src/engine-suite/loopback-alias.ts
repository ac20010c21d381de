import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * The same database server reached through another loopback address (127.0.0.2 by default): a
 * byte-for-byte TCP relay, so a test has a second endpoint (a stand-in for a read replica's) that
 * talks to the real server, without changing any server setting.
 */
export class LoopbackAlias {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }, host = '127.0.0.2'): Promise<LoopbackAlias> {
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        // Either side failing ends the pair, as a dropped connection would.
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the relay has no address');
    return new LoopbackAlias(server, sockets, host, address.port);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
