import type { Topology } from './topology';

export const SERVERLESS_TARGET_PREFIX = 'RedshiftServerless.';

class ServerlessError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

function page<T>(
  items: readonly T[],
  input: Record<string, unknown>,
): { items: readonly T[]; nextToken?: string } {
  let size = 100;
  if (input.maxResults !== undefined) {
    size = Number(input.maxResults);
    if (!Number.isInteger(size) || size < 1 || size > 100)
      throw new ServerlessError(
        'ValidationException',
        `1 validation error detected: Value '${String(input.maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
      );
  }
  let start = 0;
  if (input.nextToken !== undefined) {
    start = Number(Buffer.from(String(input.nextToken), 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > items.length)
      throw new ServerlessError('ValidationException', 'The next token is not valid.');
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

const operations: Record<string, (input: Record<string, unknown>, topology: Topology) => unknown> = {
  ListNamespaces(input, topology) {
    const p = page(topology.namespaces, input);
    return {
      namespaces: p.items.map((n) => ({
        namespaceName: n.name,
        namespaceId: n.id,
        namespaceArn: n.arn,
        status: 'AVAILABLE',
        dbName: 'dev',
      })),
      ...(p.nextToken ? { nextToken: p.nextToken } : {}),
    };
  },
  ListWorkgroups(input, topology) {
    const p = page(topology.workgroups, input);
    return {
      workgroups: p.items.map((w) => ({
        workgroupName: w.id,
        workgroupArn: w.arn,
        namespaceName: w.namespace,
        status: 'AVAILABLE',
        endpoint: { address: w.address, port: w.port },
      })),
      ...(p.nextToken ? { nextToken: p.nextToken } : {}),
    };
  },
};

/** One AWS JSON 1.1 request (`X-Amz-Target: RedshiftServerless.<Operation>`): status and body. */
export function answerServerless(
  target: string,
  body: string,
  topology: Topology,
): { status: number; json: unknown } {
  try {
    const name = target.slice(SERVERLESS_TARGET_PREFIX.length);
    const operation = operations[name];
    if (!operation) throw new ServerlessError('UnknownOperationException', `Unknown operation ${target}.`);
    let input: unknown = {};
    if (body.trim() !== '') {
      try {
        input = JSON.parse(body);
      } catch {
        throw new ServerlessError('SerializationException', 'The request body is not valid JSON.');
      }
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new ServerlessError('SerializationException', 'The request body must be a JSON object.');
    return { status: 200, json: operation(input as Record<string, unknown>, topology) };
  } catch (error) {
    if (!(error instanceof ServerlessError)) throw error;
    return { status: error.statusCode, json: { __type: error.code, message: error.message } };
  }
}
