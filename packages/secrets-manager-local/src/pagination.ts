import { SecretsManagerServiceError } from './errors';

/** One page of `items` starting at the offset encoded in `nextToken`. */
export function paginate<T>(
  items: readonly T[],
  maxResults: number,
  nextToken: string | undefined,
): { page: T[]; nextToken?: string } {
  const start = nextToken === undefined ? 0 : decodeOffset(nextToken);
  const page = items.slice(start, start + maxResults);
  const end = start + page.length;
  return end < items.length ? { page, nextToken: encodeOffset(end) } : { page };
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeOffset(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'offset' in parsed) {
      const offset = parsed.offset;
      if (typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0) return offset;
    }
  } catch {
    // Falls through to the AWS error below: a token we did not issue.
  }
  throw new SecretsManagerServiceError('InvalidNextTokenException', 'The NextToken value is invalid.');
}
