import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';

export type ProbeResult =
  | { readonly ok: true; readonly detail: string }
  | { readonly ok: false; readonly code: string; readonly detail: string };

/** dns.lookup, as the drivers resolve names (the OS resolver, /etc/hosts included), bounded in time. */
export async function resolveHost(host: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const addresses = await withTimeout(lookup(host, { all: true }), timeoutMs);
    if (addresses === undefined) {
      return { ok: false, code: 'ETIMEOUT', detail: `looking up ${host} took longer than ${timeoutMs} ms` };
    }
    return { ok: true, detail: `${host} resolves to ${addresses.map((a) => a.address).join(', ')}` };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'ERROR';
    return { ok: false, code, detail: `${host} does not resolve (${code})` };
  }
}

/** A TCP connection to host:port, closed at once: does anything listen, and can we reach it. */
export function probePort(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ host, port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () =>
      done({ ok: false, code: 'ETIMEDOUT', detail: `no answer from ${host}:${port} within ${timeoutMs} ms` }),
    );
    socket.once('connect', () =>
      done({ ok: true, detail: `${host}:${port} accepts TCP connections (${Date.now() - started} ms)` }),
    );
    socket.once('error', (error: Error & { code?: string }) => {
      const code = error.code ?? 'ERROR';
      const why = code === 'ECONNREFUSED' ? 'connection refused: nothing listens there' : code;
      done({ ok: false, code, detail: `${host}:${port}: ${why}` });
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
