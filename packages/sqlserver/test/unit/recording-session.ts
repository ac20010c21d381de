import type { Row, SqlSession } from '../../src/sqlserver-connection';
import type { SqlBatch } from '../../src/sqlserver-sql';

/**
 * A recording double of the mssql request layer, not a real server: it records every batch with
 * its parameters and answers reads from canned result sets keyed by the batch's label.
 */
export class RecordingSession implements SqlSession {
  readonly sent: { what: string; sql: string; params: Record<string, string> }[] = [];
  closed = false;

  constructor(
    private readonly answers: Record<
      string,
      readonly object[][] | ((b: SqlBatch) => readonly object[][] | Error)
    > = {},
  ) {}

  async run(batch: SqlBatch, what: string): Promise<Row[][]> {
    this.sent.push({ what, sql: batch.sql, params: { ...batch.params } });
    const answer = this.answers[what];
    const result = typeof answer === 'function' ? answer(batch) : answer;
    if (result instanceof Error) throw result;
    return (result ?? [[]]) as Row[][];
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Labels of the batches that change something (everything but reads). */
  changes(): string[] {
    return this.sent.map((s) => s.what).filter((w) => !/ read( in .*)?$|^database list$/.test(w));
  }
}
