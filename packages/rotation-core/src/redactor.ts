/**
 * Remembers every secret value seen during one invocation (passwords, secret strings) and
 * removes them from any text before it reaches a log line or an error message. Messages are
 * written not to contain secrets in the first place; this is the net under that rule, for text
 * that comes from elsewhere (driver errors that echo a statement, for instance).
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Values shorter than 4 characters are not tracked: they would redact ordinary words. */
  remember(...values: (string | undefined)[]): void {
    for (const value of values) {
      if (value !== undefined && value.length >= 4) this.secrets.add(value);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
    }
    return out;
  }
}

/** Name, code and message of a driver error, redacted; never the error object itself. */
export function describeError(
  error: unknown,
  redactor?: Redactor,
): { name: string; code?: string; message: string } {
  const clean = (s: string) => (redactor ? redactor.redact(s) : s);
  // Duck-typed, not instanceof: errors from another realm (node:net under a test runner, a worker)
  // are not instances of this realm's Error.
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    const e = error as { name?: unknown; code?: unknown; message: string };
    return {
      name: typeof e.name === 'string' ? e.name : 'Error',
      ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: String(e.code) } : {}),
      message: clean(e.message || '(no message)'),
    };
  }
  return { name: 'Error', message: clean(String(error)) };
}
