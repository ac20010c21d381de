import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SecretsManagerServiceError, serializationError } from './errors';
import type { FaultDecision } from './fault-injector';
import type { JsonObject } from './input-reader';
import type { Operation } from './operations';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'secretsmanager.';
/** Far above any valid request (a 64 KiB secret is ~88 KiB as base64), far below trouble. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The AWS JSON 1.1 front end: `POST /` with `X-Amz-Target: secretsmanager.<Operation>`.
 * It only parses, dispatches and serialises; every rule lives in the store.
 */
export function createSecretsManagerServer(
  operations: ReadonlyMap<string, Operation>,
  logError: (line: string) => void,
  faultFor: (operation: string) => FaultDecision | undefined = () => undefined,
): Server {
  return createServer((req, res) => {
    handle(req, res, operations, logError, faultFor).catch((error: unknown) => {
      // Only reachable if writing the response itself failed (e.g. the client went away).
      logError(JSON.stringify({ event: 'response-failed', error: describeError(error) }));
      res.destroy();
    });
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  operations: ReadonlyMap<string, Operation>,
  logError: (line: string) => void,
  faultFor: (operation: string) => FaultDecision | undefined,
): Promise<void> {
  const requestId = randomUUID();
  let result: { status: number; body: unknown };
  let fault: FaultDecision | undefined;
  try {
    const body = await readBody(req);
    const { name, operation } = findOperation(req, operations);
    fault = faultFor(name);
    if (fault) await beforeOperation(fault);
    result = { status: 200, body: await operation(parseBody(body)) };
  } catch (error) {
    if (error instanceof SecretsManagerServiceError) {
      result = { status: error.statusCode, body: { __type: error.code, Message: error.message } };
    } else if (req.destroyed && !req.complete) {
      // The client is gone; there is nobody to answer and nothing went wrong here.
      return;
    } else {
      logError(JSON.stringify({ event: 'internal-error', requestId, error: describeError(error) }));
      result = {
        status: 500,
        body: { __type: 'InternalServiceError', Message: 'An error occurred on the server side.' },
      };
    }
  }
  if (fault?.kind === 'response-lost') {
    // The operation ran (a write is applied); the caller only sees its connection drop.
    res.socket?.destroy();
    return;
  }
  // The replacer is a safety net for rule §1.5: a member without a value is left out, never null.
  const payload = JSON.stringify(result.body, (_key, value: unknown) => (value === null ? undefined : value));
  res.writeHead(result.status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': requestId,
  });
  res.end(payload);
}

/** Faults that answer instead of the operation throw that answer; a delay just waits. */
async function beforeOperation(fault: FaultDecision): Promise<void> {
  if (fault.kind === 'throttle') throw new SecretsManagerServiceError('ThrottlingException', 'Rate exceeded');
  if (fault.kind === 'internal-error') {
    throw new SecretsManagerServiceError(
      'InternalServiceError',
      'An error occurred on the server side.',
      500,
    );
  }
  if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
}

function findOperation(
  req: IncomingMessage,
  operations: ReadonlyMap<string, Operation>,
): { name: string; operation: Operation } {
  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    throw new SecretsManagerServiceError(
      'UnknownOperationException',
      'Requests must be POST / with an X-Amz-Target header of the form secretsmanager.<Operation>.',
    );
  }
  const name = target.slice(TARGET_PREFIX.length);
  const operation = operations.get(name);
  if (!operation) {
    throw new SecretsManagerServiceError('UnknownOperationException', `Unknown operation ${target}.`);
  }
  return { name, operation };
}

function parseBody(text: string): JsonObject {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw serializationError('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw serializationError('The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining so the client sees the error response rather than a reset connection.
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        reject(
          new SecretsManagerServiceError(
            'RequestEntityTooLargeException',
            `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
            413,
          ),
        );
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    req.on('error', reject);
    // A client that hangs up mid-body never sends 'end'; settle so nothing waits forever.
    req.on('close', () => {
      if (!req.complete)
        reject(new Error('The client closed the connection before sending the whole request.'));
    });
  });
}

function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}
