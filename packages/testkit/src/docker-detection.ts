// Whether a Docker engine answers, decided once per process and quickly: on a machine without one the
// answer must cost a few hundred milliseconds and print nothing. When an engine seems to be there but
// does not answer, the reason is kept (short, for the skip line).

import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export type DockerStatus =
  | { readonly available: true }
  | {
      readonly available: false;
      /** Why not, for a skip line; undefined when simply no engine is installed, the usual case. */
      readonly reason?: string;
    };

/** What the probe saw, for explainNoDocker. */
export interface DockerProbeFacts {
  /** DOCKER_HOST, when set. */
  readonly dockerHost?: string;
  /** The docker CLI's current context (DOCKER_CONTEXT or ~/.docker/config.json), when not `default`. */
  readonly context?: string;
  /** The first local engine socket found, and whether this user may open it. */
  readonly socket?: { readonly path: string; readonly access: 'ok' | 'denied' };
  /** How testcontainers' attempt ended. */
  readonly outcome:
    | { readonly kind: 'timeout'; readonly ms: number }
    | { readonly kind: 'error'; readonly message: string };
}

const DEFAULT_TIMEOUT_MS = 1_500;

/** testcontainers' message when none of its ways to reach an engine (DOCKER_HOST, sockets) worked. */
const NO_STRATEGY = /Could not find a working container runtime strategy/i;

let cached: Promise<DockerStatus> | undefined;

export function detectDocker(options: { timeoutMs?: number } = {}): Promise<DockerStatus> {
  cached ??= probe(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return cached;
}

/**
 * The skip-line reason for a failed probe, or undefined when nothing suggests an engine is there
 * (no DOCKER_HOST, no socket, no docker context): plain "no Docker".
 */
export function explainNoDocker(facts: DockerProbeFacts): string | undefined {
  const { outcome } = facts;
  const after = (where: string) =>
    outcome.kind === 'timeout'
      ? `${where} did not answer within ${seconds(outcome.ms)}`
      : `${where}: ${outcome.message}`;
  if (facts.dockerHost !== undefined) return after(`DOCKER_HOST ${facts.dockerHost}`);
  if (facts.socket?.access === 'denied') {
    return `no permission on ${facts.socket.path} (EACCES): join the docker group or set DOCKER_HOST`;
  }
  if (facts.socket !== undefined) return after(facts.socket.path);
  if (facts.context !== undefined) {
    return `docker context "${facts.context}" is not read by testcontainers: set DOCKER_HOST to its endpoint`;
  }
  if (outcome.kind === 'timeout') return `no Docker engine answered within ${seconds(outcome.ms)}`;
  return NO_STRATEGY.test(outcome.message) ? undefined : outcome.message;
}

async function probe(timeoutMs: number): Promise<DockerStatus> {
  let testcontainers: typeof import('testcontainers');
  try {
    // Loaded lazily: testcontainers 12 needs Node >= 22.22 and throws while loading on older Node.
    testcontainers = require('testcontainers') as typeof import('testcontainers');
  } catch (error) {
    return { available: false, reason: loadFailure(error) };
  }
  let timer: NodeJS.Timeout | undefined;
  type Outcome = DockerProbeFacts['outcome'] | { readonly kind: 'ok' };
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout', ms: timeoutMs }), timeoutMs);
    timer.unref();
  });
  const answer = testcontainers.getContainerRuntimeClient().then(
    (): Outcome => ({ kind: 'ok' }),
    (error: unknown): Outcome => ({ kind: 'error', message: firstLine(error) }),
  );
  let outcome: Outcome;
  try {
    outcome = await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (outcome.kind === 'ok') return { available: true };
  const reason = explainNoDocker(localFacts(outcome));
  return reason === undefined ? { available: false } : { available: false, reason };
}

/** DOCKER_HOST, the docker CLI's context and the engine sockets testcontainers looks for. */
function localFacts(outcome: DockerProbeFacts['outcome']): DockerProbeFacts {
  const dockerHost = process.env.DOCKER_HOST?.trim() || undefined;
  const context = currentContext();
  const socket = engineSocket();
  return {
    outcome,
    ...(dockerHost === undefined ? {} : { dockerHost }),
    ...(context === undefined ? {} : { context }),
    ...(socket === undefined ? {} : { socket }),
  };
}

function currentContext(): string | undefined {
  let name = process.env.DOCKER_CONTEXT?.trim();
  if (!name) {
    try {
      const dir = process.env.DOCKER_CONFIG ?? path.join(homedir(), '.docker');
      const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
        currentContext?: unknown;
      };
      name = typeof config.currentContext === 'string' ? config.currentContext : undefined;
    } catch {
      return undefined;
    }
  }
  return name && name !== 'default' ? name : undefined;
}

function engineSocket(): DockerProbeFacts['socket'] {
  const candidates = [
    '/var/run/docker.sock',
    ...(process.env.XDG_RUNTIME_DIR ? [path.join(process.env.XDG_RUNTIME_DIR, 'docker.sock')] : []),
    path.join(homedir(), '.docker', 'run', 'docker.sock'),
    path.join(homedir(), '.docker', 'desktop', 'docker.sock'),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) return undefined;
  try {
    accessSync(found, constants.R_OK | constants.W_OK);
    return { path: found, access: 'ok' };
  } catch {
    return { path: found, access: 'denied' };
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

// testcontainers fails to load with an unhelpful TypeError from a dependency when Node is too old; say
// which Node it wants instead.
function loadFailure(error: unknown): string {
  try {
    const manifest = path.join(path.dirname(require.resolve('testcontainers')), '..', 'package.json');
    const wanted = (JSON.parse(readFileSync(manifest, 'utf8')) as { engines?: { node?: string } }).engines
      ?.node;
    if (wanted !== undefined) return `testcontainers needs Node ${wanted}, this is ${process.version}`;
  } catch {
    // Fall back to the error itself.
  }
  return `testcontainers does not load: ${firstLine(error)}`;
}

/** The first line of an error's message. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
