import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerLocal, type SecretsManagerLocalOptions } from '../../src';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export function clientFor(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    // One attempt: a retried request would hide what the emulator answered first.
    maxAttempts: 1,
  });
}

/** Starts an emulator whose diagnostic lines are collected instead of printed. */
export async function startEmulator(
  options: SecretsManagerLocalOptions = {},
): Promise<{ server: SecretsManagerLocal; client: SecretsManagerClient; logs: string[] }> {
  const logs: string[] = [];
  const server = await SecretsManagerLocal.start({ log: (line) => logs.push(line), ...options });
  return { server, client: clientFor(server.endpoint), logs };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

/** A request without the SDK, to see exactly what goes over the wire. */
export async function rawCall(
  endpoint: string,
  target: string | undefined,
  body: string | Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      ...(target === undefined ? {} : { 'X-Amz-Target': target }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) };
}

/** Runs `call`, expects an AWS error, and returns it for further checks. */
export async function awsError(
  call: Promise<unknown>,
  name: string,
  message?: string | RegExp,
): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(Error);
  const error = caught as Error & { $metadata: { httpStatusCode?: number } };
  expect(error.name).toBe(name);
  if (message instanceof RegExp) expect(error.message).toMatch(message);
  else if (message !== undefined) expect(error.message).toBe(message);
  return error;
}

let counter = 0;
/** A secret name unique within the test run. */
export function uniqueName(prefix = 'secret'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** A ClientRequestToken (the SDK would make one; tests that compare tokens make their own). */
export function token(tag: string): string {
  return `${tag.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
}
