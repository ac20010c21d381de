import type { LogLevel } from '@rotor/rotation-core';

/**
 * Collects the warnings among rotation-core's log lines (a TLS downgrade to plaintext, a login
 * with AWSPREVIOUS, ...) as one readable line each, so commands show them without --verbose.
 * The lines come from core's Logger, which has already redacted them.
 */
export class LogWarnings {
  private readonly found: string[] = [];

  /** `forward` receives every line (for --verbose). */
  constructor(private readonly forward?: (line: string) => void) {}

  readonly sink = (line: string, level: LogLevel): void => {
    this.forward?.(line);
    if (level !== 'warn') return;
    const text = warningText(line);
    if (!this.found.includes(text)) this.found.push(text);
  };

  get list(): readonly string[] {
    return [...this.found];
  }
}

/** `step: message [credentials, user, host:port, driver error]` from one JSON log line. */
export function warningText(line: string): string {
  const r = JSON.parse(line) as Record<string, unknown>;
  const about: string[] = [];
  if (typeof r.credentials === 'string') about.push(`${r.credentials} credentials`);
  if (typeof r.username === 'string') about.push(`user ${JSON.stringify(r.username)}`);
  if (r.host !== undefined && r.port !== undefined) about.push(`${r.host}:${r.port}`);
  const e = r.error as { name?: string; code?: string; message?: string } | undefined;
  if (e?.message) about.push(`${e.name ?? 'Error'}${e.code ? ` ${e.code}` : ''}: ${e.message}`);
  const step = typeof r.step === 'string' ? `${r.step}: ` : '';
  return `${step}${String(r.message)}${about.length > 0 ? ` [${about.join(', ')}]` : ''}`;
}

/**
 * The function's environment, except that warnings are always logged (ROTOR_LOG_LEVEL=error
 * becomes warn): the command shows them whatever the level. Anything else is kept as it is.
 */
export function environmentShowingWarnings(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const level = env.ROTOR_LOG_LEVEL ?? env.AWS_LAMBDA_LOG_LEVEL;
  return level?.trim().toLowerCase() === 'error' ? { ...env, ROTOR_LOG_LEVEL: 'warn' } : { ...env };
}
