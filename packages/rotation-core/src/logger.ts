import type { Redactor } from './redactor';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;
export type LogSink = (line: string, level: LogLevel) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Lambda's console writes land in CloudWatch with the request id; one JSON object per line. */
const consoleSink: LogSink = (line, level) => {
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.trim().toLowerCase();
  if (v === 'debug' || v === 'info' || v === 'warn' || v === 'error') return v;
  if (v === 'warning') return 'warn';
  if (v === 'trace') return 'debug';
  return undefined;
}

/**
 * Structured JSON logs: one line per decision, with the rotation's context fields on each line.
 * Every string passes through the invocation's Redactor, so a secret that slipped into a field
 * (a driver message quoting a statement, say) is replaced before it is written.
 */
export class Logger {
  constructor(
    private readonly options: {
      level?: LogLevel;
      sink?: LogSink;
      redactor?: Redactor;
      fields?: LogFields;
    } = {},
  ) {}

  child(fields: LogFields, redactor?: Redactor): Logger {
    return new Logger({
      ...this.options,
      redactor: redactor ?? this.options.redactor,
      fields: { ...this.options.fields, ...fields },
    });
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (ORDER[level] < ORDER[this.options.level ?? 'info']) return;
    const redactor = this.options.redactor;
    const record = { level, time: new Date().toISOString(), message, ...this.options.fields, ...fields };
    // Redact each string before JSON escaping, so a secret containing quotes is still found.
    const line = JSON.stringify(record, (_key, value: unknown) => {
      if (value instanceof Error) return { name: value.name, message: value.message };
      if (typeof value === 'string' && redactor) return redactor.redact(value);
      return value;
    });
    (this.options.sink ?? consoleSink)(line, level);
  }
}
