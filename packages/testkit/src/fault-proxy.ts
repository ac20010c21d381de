import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does to traffic, switchable at run time (applies to open connections too):
 * - `pass`: forwards both ways;
 * - `delay`: holds each chunk `ms` before forwarding it (order kept);
 * - `stall`: accepts, and forwards nothing in either direction until the mode changes (held bytes
 *   then go through, unless a side gave up and closed);
 * - `reset`: forwards until a connection has carried `bytes` bytes in `direction` (counted from
 *   the connection's start), then resets both sides (TCP RST);
 * - `refuse`: closes new connections at once (open ones are left alone).
 */
export type FaultProxyMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'stall' }
  | { kind: 'reset'; bytes: number; direction: 'upstream' | 'downstream' | 'either' }
  | { kind: 'refuse' };

export interface FaultProxyStats {
  /** Connections accepted and forwarded (refused ones are not counted here). */
  connections: number;
  refused: number;
  resets: number;
  /** Bytes forwarded client → target and target → client. */
  bytesUp: number;
  bytesDown: number;
}

/**
 * Sees the traffic the proxy forwards, as it forwards it (for a benchmark's wire-level counts:
 * each connection is a login attempt, each request/response turn a round trip).
 */
export interface TrafficObserver {
  opened(connection: number): void;
  /** A chunk forwarded client → target (`toTarget`) or target → client. */
  data(connection: number, toTarget: boolean, chunk: Buffer): void;
  closed(connection: number): void;
}

interface Pipe {
  id: number;
  client: Socket;
  target: Socket;
  up: number;
  down: number;
  /** Chunks held while stalled or delayed, with their direction. */
  queue: Array<{ toTarget: boolean; chunk: Buffer }>;
  flushing: boolean;
}

/** A TCP proxy on 127.0.0.1 that injects network faults between a client and a real server. */
export class FaultProxy {
  private mode: FaultProxyMode = { kind: 'pass' };
  private readonly pipes = new Set<Pipe>();
  readonly stats: FaultProxyStats = { connections: 0, refused: 0, resets: 0, bytesUp: 0, bytesDown: 0 };
  /** Bytes each finished connection carried, oldest first (the last 1000), e.g. to aim a reset. */
  readonly finished: Array<{ up: number; down: number }> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly target: { host: string; port: number },
    private readonly observer: TrafficObserver | undefined,
  ) {}

  readonly host = '127.0.0.1';

  static async start(
    target: { host: string; port: number },
    options: { observer?: TrafficObserver } = {},
  ): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer((socket) => proxy?.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no address');
    proxy = new FaultProxy(server, address.port, target, options.observer);
    return proxy;
  }

  /** `http://127.0.0.1:<port>`, for HTTP targets such as the Secrets Manager emulator. */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  get currentMode(): FaultProxyMode {
    return this.mode;
  }

  setMode(mode: FaultProxyMode): void {
    this.mode = mode;
    // Held chunks move on (or get dropped) under the new mode; a reset mode may now apply.
    for (const pipe of this.pipes) this.pump(pipe);
  }

  /** Resets every open connection (e.g. to clear pooled connections between cases). */
  resetAll(): void {
    for (const pipe of [...this.pipes]) this.reset(pipe);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const pipe of [...this.pipes]) {
      pipe.client.destroy();
      pipe.target.destroy();
    }
    await closed;
  }

  private accept(client: Socket): void {
    if (this.mode.kind === 'refuse') {
      this.stats.refused += 1;
      client.resetAndDestroy();
      return;
    }
    this.stats.connections += 1;
    const target = createConnection({ host: this.target.host, port: this.target.port });
    const pipe: Pipe = {
      id: this.stats.connections,
      client,
      target,
      up: 0,
      down: 0,
      queue: [],
      flushing: false,
    };
    this.pipes.add(pipe);
    this.observer?.opened(pipe.id);
    const end = () => {
      if (this.pipes.delete(pipe)) this.record(pipe);
      client.destroy();
      target.destroy();
    };
    client.on('data', (chunk: Buffer) => this.enqueue(pipe, true, chunk));
    target.on('data', (chunk: Buffer) => this.enqueue(pipe, false, chunk));
    // Half-closes travel like data, so they are not overtaken by held chunks.
    client.on('end', () => this.enqueueEnd(pipe, true));
    target.on('end', () => this.enqueueEnd(pipe, false));
    client.on('error', end);
    target.on('error', end);
    client.on('close', end);
    target.on('close', end);
  }

  private enqueue(pipe: Pipe, toTarget: boolean, chunk: Buffer): void {
    pipe.queue.push({ toTarget, chunk });
    this.pump(pipe);
  }

  private enqueueEnd(pipe: Pipe, toTarget: boolean): void {
    pipe.queue.push({ toTarget, chunk: Buffer.alloc(0) });
    this.pump(pipe);
  }

  /** Forwards held chunks in order as far as the current mode allows. */
  private pump(pipe: Pipe): void {
    if (pipe.flushing || !this.pipes.has(pipe)) return;
    pipe.flushing = true;
    void this.drain(pipe).finally(() => {
      pipe.flushing = false;
    });
  }

  private async drain(pipe: Pipe): Promise<void> {
    while (pipe.queue.length > 0 && this.pipes.has(pipe)) {
      const mode = this.mode;
      if (mode.kind === 'stall') return;
      if (mode.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, mode.ms));
      const item = pipe.queue.shift();
      if (!item || !this.pipes.has(pipe)) return;
      if (!this.forward(pipe, item.toTarget, item.chunk)) return;
    }
  }

  /** Writes one chunk (an empty one is an end); false when the connection was reset instead. */
  private forward(pipe: Pipe, toTarget: boolean, chunk: Buffer): boolean {
    const mode = this.mode;
    let allowed = chunk.length;
    if (mode.kind === 'reset' && chunk.length > 0) {
      const counts = mode.direction === 'either' || (mode.direction === 'upstream') === toTarget;
      if (counts) {
        const carried = mode.direction === 'either' ? pipe.up + pipe.down : toTarget ? pipe.up : pipe.down;
        allowed = Math.max(0, Math.min(chunk.length, mode.bytes - carried));
      }
    }
    const out = toTarget ? pipe.target : pipe.client;
    if (chunk.length === 0) {
      out.end();
      return true;
    }
    if (allowed > 0) {
      out.write(chunk.subarray(0, allowed));
      this.observer?.data(pipe.id, toTarget, chunk.subarray(0, allowed));
      if (toTarget) {
        pipe.up += allowed;
        this.stats.bytesUp += allowed;
      } else {
        pipe.down += allowed;
        this.stats.bytesDown += allowed;
      }
    }
    if (allowed < chunk.length) {
      this.reset(pipe);
      return false;
    }
    return true;
  }

  private record(pipe: Pipe): void {
    this.observer?.closed(pipe.id);
    this.finished.push({ up: pipe.up, down: pipe.down });
    if (this.finished.length > 1000) this.finished.shift();
  }

  private reset(pipe: Pipe): void {
    if (!this.pipes.delete(pipe)) return;
    this.record(pipe);
    this.stats.resets += 1;
    pipe.client.resetAndDestroy();
    pipe.target.resetAndDestroy();
  }
}
