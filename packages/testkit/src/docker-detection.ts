// Whether a Docker engine answers, decided once per process and quickly: on a machine without one the
// answer must cost a few hundred milliseconds and print nothing.

import { readFileSync } from 'node:fs';
import path from 'node:path';

export type DockerStatus =
  | { readonly available: true }
  | {
      readonly available: false;
      /** Why not, for a skip line; undefined when simply no engine answered, the usual case. */
      readonly reason?: string;
    };

const DEFAULT_TIMEOUT_MS = 1_500;

let cached: Promise<DockerStatus> | undefined;

export function detectDocker(options: { timeoutMs?: number } = {}): Promise<DockerStatus> {
  cached ??= probe(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return cached;
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
  const timeout = new Promise<DockerStatus>((resolve) => {
    timer = setTimeout(() => resolve({ available: false }), timeoutMs);
    timer.unref();
  });
  const answer = testcontainers.getContainerRuntimeClient().then(
    (): DockerStatus => ({ available: true }),
    (): DockerStatus => ({ available: false }),
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
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

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
