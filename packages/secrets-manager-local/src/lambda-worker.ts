/**
 * Worker-thread bootstrap for a module-file rotation function: loads the handler once (a warm
 * Lambda container) and runs one invocation per message from the main thread.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

export interface WorkerData {
  file: string;
  exportName: string;
  functionName: string;
  functionArn: string;
}

export interface InvokeMessage {
  id: number;
  event: unknown;
  awsRequestId: string;
  deadline: number;
}

export type ResultMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

type Handler = (
  event: unknown,
  context: unknown,
  callback?: (error: unknown, result?: unknown) => void,
) => unknown;

/** A failure Lambda reports with its own error type, e.g. `Runtime.HandlerNotFound`. */
class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const data = workerData as WorkerData;
let handlerPromise: Promise<Handler> | undefined;

async function loadHandler(): Promise<Handler> {
  let mod: Record<string, unknown>;
  try {
    mod = require(data.file) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM') {
      throw new RuntimeError('Runtime.ImportModuleError', `Error: ${(error as Error).message}`);
    }
    mod = (await import(pathToFileURL(data.file).href)) as Record<string, unknown>;
  }
  const handler = mod[data.exportName];
  if (typeof handler !== 'function') {
    const module = basename(data.file).replace(/\.[cm]?js$/, '');
    throw new RuntimeError(
      'Runtime.HandlerNotFound',
      `${module}.${data.exportName} is undefined or not exported`,
    );
  }
  return handler as Handler;
}

async function invoke(message: InvokeMessage): Promise<unknown> {
  // A failed load is retried on the next invocation, as Lambda retries a failed init.
  handlerPromise ??= loadHandler().catch((error: unknown) => {
    handlerPromise = undefined;
    throw error;
  });
  const handler = await handlerPromise;
  const context = {
    awsRequestId: message.awsRequestId,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: data.functionArn,
    memoryLimitInMB: '128',
    logGroupName: `/aws/lambda/${data.functionName}`,
    logStreamName: 'secrets-manager-local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
  // Older handlers take a callback as third argument instead of returning a promise.
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      handler(message.event, context, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }
  return handler(message.event, context);
}

/** The result travels as JSON, as a Lambda response would; anything not serialisable is dropped. */
function toJson(value: unknown): unknown {
  try {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  } catch {
    return undefined;
  }
}

/**
 * Waits until the main thread has taken everything written to stdout/stderr so far. Output and
 * results travel on different channels; without this an invocation's last log lines could
 * arrive after its result, where Lambda guarantees they come first.
 */
function flushOutput(): Promise<unknown> {
  const drained = (stream: NodeJS.WriteStream) => new Promise((resolve) => stream.write('', resolve));
  return Promise.all([drained(process.stdout), drained(process.stderr)]);
}

parentPort?.on('message', (message: InvokeMessage) => {
  invoke(message)
    .finally(flushOutput)
    .then(
      (result) =>
        parentPort?.postMessage({ id: message.id, ok: true, result: toJson(result) } satisfies ResultMessage),
      (error: unknown) => {
        const name = error instanceof Error ? error.name : 'Error';
        const text = error instanceof Error ? error.message : String(error);
        parentPort?.postMessage({
          id: message.id,
          ok: false,
          error: { name, message: text },
        } satisfies ResultMessage);
      },
    );
});
