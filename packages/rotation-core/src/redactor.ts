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
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
      message: clean(error.message || '(no message)'),
    };
  }
  return { name: 'Error', message: clean(String(error)) };
}
