// The AWS JSON 1.1 wire format as seen without the SDK, the headers the SDK sends, and bad input:
// each bad request gets its AWS-style error and the server keeps serving.
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import {
  CreateSecretCommand,
  ListSecretsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerLocal } from '../../src';
import { clientFor, rawCall, startEmulator, uniqueName } from '../helpers/emulator';

let server: SecretsManagerLocal;
let client: SecretsManagerClient;
let logs: string[];

beforeAll(async () => {
  ({ server, client, logs } = await startEmulator());
});

afterAll(async () => {
  await server.stop();
});

/** Sends a request and checks the answer is the given AWS error, in AWS's shape. */
async function expectWireError(
  target: string | undefined,
  body: string | Record<string, unknown>,
  type: string,
  message?: RegExp,
  status = 400,
): Promise<void> {
  const response = await rawCall(server.endpoint, target, body);
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  expect(Object.keys(response.json).sort()).toEqual(['Message', '__type']);
  expect(response.json.__type).toBe(type);
  if (message) expect(response.json.Message).toMatch(message);
  // A conflicting x-amzn-errortype would win over __type in the SDK.
  expect(response.headers.get('x-amzn-errortype')).toBeNull();
}

test('the SDK sends POST / with X-Amz-Target and application/x-amz-json-1.1', async () => {
  const seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }> = [];
  // A recording proxy in front of the emulator sees exactly what the SDK puts on the wire.
  const proxy: Server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    const target = new URL(server.endpoint);
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const viaProxy = clientFor(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    await viaProxy.send(new ListSecretsCommand({}));
    await viaProxy.send(new CreateSecretCommand({ Name: uniqueName(), SecretString: 'x' }));
  } finally {
    await new Promise((resolve) => proxy.close(resolve));
  }
  expect(seen.map((r) => [r.method, r.url, r.headers['x-amz-target'], r.headers['content-type']])).toEqual([
    ['POST', '/', 'secretsmanager.ListSecrets', 'application/x-amz-json-1.1'],
    ['POST', '/', 'secretsmanager.CreateSecret', 'application/x-amz-json-1.1'],
  ]);
});

test('success is 200 with the JSON content type, a request id, and epoch-second timestamps', async () => {
  const name = uniqueName();
  const created = await rawCall(server.endpoint, 'secretsmanager.CreateSecret', {
    Name: name,
    SecretString: 'x',
    ClientRequestToken: 'a'.repeat(32),
  });
  expect(created.status).toBe(200);
  expect(created.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  expect(created.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  const described = await rawCall(server.endpoint, 'secretsmanager.DescribeSecret', { SecretId: name });
  const createdDate = described.json.CreatedDate;
  expect(typeof createdDate).toBe('number');
  expect(Math.abs((createdDate as number) - Date.now() / 1000)).toBeLessThan(60);
});

test('no response ever contains null', async () => {
  const name = uniqueName();
  await client.send(new CreateSecretCommand({ Name: name }));
  for (const [op, body] of [
    ['DescribeSecret', { SecretId: name }],
    ['ListSecrets', {}],
    ['ListSecretVersionIds', { SecretId: name, IncludeDeprecated: true }],
    ['UpdateSecret', { SecretId: name, Description: 'd', ClientRequestToken: 'b'.repeat(32) }],
    ['CancelRotateSecret', { SecretId: name }],
    ['DeleteSecret', { SecretId: name }],
    ['DescribeSecret', { SecretId: name }],
  ] as const) {
    const response = await rawCall(server.endpoint, `secretsmanager.${op}`, body);
    expect(response.status).toBe(200);
    expect(response.text).not.toMatch(/null/);
  }
});

test('an empty body counts as {}', async () => {
  const response = await rawCall(server.endpoint, 'secretsmanager.ListSecrets', '');
  expect(response.status).toBe(200);
  expect(Array.isArray(response.json.SecretList)).toBe(true);
});

describe('bad input gets an AWS-style error and the server keeps serving', () => {
  afterEach(async () => {
    const alive = await rawCall(server.endpoint, 'secretsmanager.ListSecrets', {});
    expect(alive.status).toBe(200);
  });

  test('malformed JSON and non-object bodies are SerializationException', async () => {
    await expectWireError('secretsmanager.ListSecrets', '{"Filters": [', 'SerializationException');
    await expectWireError('secretsmanager.ListSecrets', '[1,2]', 'SerializationException');
    await expectWireError('secretsmanager.ListSecrets', '"text"', 'SerializationException');
  });

  test('unknown, missing or foreign targets are UnknownOperationException', async () => {
    await expectWireError('secretsmanager.StealSecret', {}, 'UnknownOperationException');
    await expectWireError('secretsmanager.constructor', {}, 'UnknownOperationException');
    await expectWireError(undefined, {}, 'UnknownOperationException');
    await expectWireError('DynamoDB_20120810.ListTables', {}, 'UnknownOperationException');
  });

  test('members of the wrong type are SerializationException', async () => {
    await expectWireError('secretsmanager.GetSecretValue', { SecretId: 5 }, 'SerializationException');
    await expectWireError('secretsmanager.ListSecrets', { MaxResults: '10' }, 'SerializationException');
    await expectWireError('secretsmanager.ListSecrets', { MaxResults: 1.5 }, 'SerializationException');
    await expectWireError(
      'secretsmanager.ListSecrets',
      { Filters: { Key: 'name' } },
      'SerializationException',
    );
    await expectWireError(
      'secretsmanager.CreateSecret',
      { Name: 'n', Tags: ['a'] },
      'SerializationException',
    );
    await expectWireError(
      'secretsmanager.CreateSecret',
      { Name: uniqueName(), SecretBinary: 'not base64!' },
      'SerializationException',
    );
    await expectWireError(
      'secretsmanager.DeleteSecret',
      { SecretId: 'x', ForceDeleteWithoutRecovery: 'yes' },
      'SerializationException',
    );
  });

  test('a missing required member is ValidationException', async () => {
    await expectWireError(
      'secretsmanager.DescribeSecret',
      {},
      'ValidationException',
      /^1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null$/,
    );
  });

  test('an oversize SecretString is ValidationException that does not echo the value', async () => {
    const response = await rawCall(server.endpoint, 'secretsmanager.CreateSecret', {
      Name: uniqueName(),
      SecretString: 's'.repeat(65_537),
      ClientRequestToken: 'c'.repeat(32),
    });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      __type: 'ValidationException',
      Message:
        "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
    });
    const atLimit = await rawCall(server.endpoint, 'secretsmanager.CreateSecret', {
      Name: uniqueName(),
      SecretString: 's'.repeat(65_536),
      ClientRequestToken: 'c'.repeat(32),
    });
    expect(atLimit.status).toBe(200);
  });

  test('invalid names are ValidationException with the AWS text', async () => {
    const invalidName =
      /^Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -\/_\+=\.@!$/;
    await expectWireError(
      'secretsmanager.CreateSecret',
      { Name: 'bad name' },
      'ValidationException',
      invalidName,
    );
    await expectWireError(
      'secretsmanager.CreateSecret',
      { Name: 'bad:name' },
      'ValidationException',
      invalidName,
    );
    await expectWireError(
      'secretsmanager.DescribeSecret',
      { SecretId: 'bad*name' },
      'ValidationException',
      invalidName,
    );
    await expectWireError(
      'secretsmanager.CreateSecret',
      { Name: 'x'.repeat(513) },
      'ValidationException',
      /'name'/,
    );
  });

  test('tokens of the wrong length are ValidationException', async () => {
    await expectWireError(
      'secretsmanager.CreateSecret',
      { Name: uniqueName(), SecretString: 'x', ClientRequestToken: 'short' },
      'ValidationException',
      /Value 'short' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32/,
    );
    await expectWireError(
      'secretsmanager.GetSecretValue',
      { SecretId: 'x', VersionId: 'v'.repeat(65) },
      'ValidationException',
      /'versionId'.*less than or equal to 64/,
    );
  });

  test('several violations are reported together', async () => {
    await expectWireError(
      'secretsmanager.ListSecrets',
      { MaxResults: 0, SortOrder: 'sideways' },
      'ValidationException',
      /^2 validation errors detected: .*'maxResults'.*; .*'sortOrder'/,
    );
  });

  test('a body over 1 MiB is refused with 413', async () => {
    await expectWireError(
      'secretsmanager.CreateSecret',
      { Name: uniqueName(), SecretString: 'x'.repeat(2 * 1024 * 1024) },
      'RequestEntityTooLargeException',
      undefined,
      413,
    );
  });

  test('a client that hangs up halfway through its body does not disturb the server', async () => {
    const { hostname, port } = new URL(server.endpoint);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: secretsmanager.ListSecrets\r\nContent-Length: 100\r\n\r\n{"Max',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(socket.destroyed).toBe(true);
  });

  test('none of this logged an internal error', () => {
    expect(logs.filter((line) => line.includes('internal-error'))).toEqual([]);
  });
});
