import type { RotationStep } from '@rotor/rotation-core';

/** One rotation step as the handler reported it in its `step finished` / `step failed` log line. */
export interface StepReport {
  readonly step: RotationStep;
  readonly versionId: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly secretsManagerCalls: number;
  /** For a failed step: the error's name and (already redacted) message. */
  readonly error?: { readonly name: string; readonly message: string };
}

/**
 * What rotation functions wrote to stdout/stderr (their JSON log lines), collected through the
 * emulator's `onOutput`. Chunks may split lines; only whole lines are parsed.
 */
export class HandlerOutput {
  private partial = '';
  private readonly whole: string[] = [];

  /** For `onOutput`. */
  readonly append = (text: string): void => {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.whole.push(...parts);
  };

  /** Everything written so far, including an unfinished last line. */
  get text(): string {
    return [...this.whole, this.partial].join('\n');
  }

  /** The lines that are JSON objects (the handlers' log records). */
  records(): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    for (const line of this.whole) {
      if (!line.startsWith('{')) continue;
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value === 'object' && value !== null) records.push(value as Record<string, unknown>);
      } catch {
        // Not a log record (a driver's own output, say); people can still read it in `text`.
      }
    }
    return records;
  }

  /** The finished and failed steps of one rotation (the version it rotates in), in order. */
  steps(versionId: string): StepReport[] {
    const reports: StepReport[] = [];
    for (const r of this.records()) {
      if (r.versionId !== versionId || (r.message !== 'step finished' && r.message !== 'step failed'))
        continue;
      const error = r.error as { name?: unknown; message?: unknown } | undefined;
      reports.push({
        step: r.step as RotationStep,
        versionId,
        ok: r.message === 'step finished',
        durationMs: Number(r.durationMs),
        secretsManagerCalls: Number(r.secretsManagerCalls),
        ...(error === undefined
          ? {}
          : { error: { name: String(error.name), message: String(error.message) } }),
      });
    }
    return reports;
  }
}
