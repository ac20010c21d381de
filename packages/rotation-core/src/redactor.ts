/**
 * Remembers every secret value seen during one invocation (passwords, secret strings) and
 * removes them from any text before it reaches a log line or an error message. Messages are
 * written not to contain secrets in the first place; this is the net under that rule, for text
 * that comes from elsewhere (driver errors that echo a statement, for instance).
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /**
   * A value read from a secret. It is masked only when it is distinctive: masking a value that
   * also occurs as an ordinary word (a password `postgres` in a line naming the engine, or `abc`
   * inside any word) would not hide it but point at it, since a reader sees which word vanished,
   * and would garble unrelated text. A non-distinctive value therefore relies on the first rule
   * alone: Rotor's own messages never carry values (they name keys), and engines send password
   * hashes rather than passwords, so no driver error has one to echo. Rotation replaces such a
   * password with a generated one, which is always masked.
   */
  remember(...values: (string | undefined)[]): void {
    for (const value of values) {
      if (value !== undefined && isDistinctive(value)) this.secrets.add(value);
    }
  }

  /**
   * A password Rotor generated: drawn at random and at least MIN_PASSWORD_LENGTH long (the
   * configuration refuses shorter), so it never coincides with ordinary text and is always masked.
   */
  rememberGenerated(password: string): void {
    if (password.length > 0) this.secrets.add(password);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
    }
    return out;
  }
}

/** Shortest value read from a secret that is masked. */
const MIN_DISTINCTIVE_LENGTH = 8;
/** From this length a value of a single character class (a long lowercase word, a number) is masked too. */
const SINGLE_CLASS_DISTINCTIVE_LENGTH = 16;

/**
 * Whether masking `value` hides it rather than points at it: at least 8 characters mixing two
 * character classes (lowercase, uppercase, digits, others), or 16 of one. Ordinary words and
 * numbers that also appear in log text (`postgres`, `localhost`, `administrator`, a port) are one
 * class and shorter, so they are not masked; every password Rotor generates with the default
 * settings mixes classes. Deliberately simple: it errs towards not masking, which the rule
 * "never echo a value" covers.
 */
export function isDistinctive(value: string): boolean {
  const length = [...value].length;
  if (length < MIN_DISTINCTIVE_LENGTH) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((c) => c.test(value)).length;
  return classes >= 2 || length >= SINGLE_CLASS_DISTINCTIVE_LENGTH;
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
