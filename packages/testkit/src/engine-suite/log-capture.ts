/**
 * Captures everything a test prints: the handlers' log sink, console.* and direct writes to
 * stdout/stderr. `assertFreeOf` fails the test when any secret value appears in any of it.
 */
export class LogCapture {
  private readonly lines: string[] = [];
  private restore: (() => void) | undefined;

  record(line: string): void {
    this.lines.push(line);
  }

  get text(): string {
    return this.lines.join('\n');
  }

  /** Parsed JSON log lines (handlers' structured logs). */
  records(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.lines) {
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a plain line from elsewhere
      }
    }
    return out;
  }

  install(): void {
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const originals = methods.map((m) => console[m]);
    for (const m of methods) {
      console[m] = (...args: unknown[]) => this.record(args.map(String).join(' '));
    }
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const tap =
      (write: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        this.record(String(chunk));
        return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = tap(out) as typeof process.stdout.write;
    process.stderr.write = tap(err) as typeof process.stderr.write;
    this.restore = () => {
      methods.forEach((m, i) => {
        console[m] = originals[i] as (typeof console)[typeof m];
      });
      process.stdout.write = out;
      process.stderr.write = err;
    };
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  assertFreeOf(secrets: Iterable<string>): void {
    const text = this.text;
    for (const secret of secrets) {
      if (secret.length >= 4 && text.includes(secret)) {
        throw new Error(`a secret value (length ${secret.length}) appeared in the captured log output`);
      }
    }
  }
}
