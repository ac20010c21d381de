import { type Deadline, DeadlineExceededError } from '@rotor/rotation-core';
import { Client, type ClientConfig } from 'pg';

/** Longest any one statement may run, deadline or not: a rotation runs a handful of tiny statements. */
const STATEMENT_TIMEOUT_CAP_MS = 30_000;
/** ALTER ROLE waits for locks on the role catalogs; a stuck lock should fail the step, not the Lambda. */
const LOCK_TIMEOUT_CAP_MS = 10_000;

export interface ServerLimits {
  readonly statementMs: number;
  readonly lockMs: number;
}

/**
 * The server-side statement and lock timeouts to give a session that has `remainingMs` left.
 * Half of it, so that the values sent once stay within the deadline for the statements that
 * follow (the server counts from each statement's start, the deadline does not move); they are
 * sent again only once half the time has passed. Undefined when no useful limit is left (0 would
 * mean "no limit" to the server).
 */
export function serverLimitsFor(remainingMs: number): ServerLimits | undefined {
  const statementMs = Math.min(STATEMENT_TIMEOUT_CAP_MS, Math.floor(remainingMs / 2));
  if (statementMs < 1) return undefined;
  return { statementMs, lockMs: Math.min(LOCK_TIMEOUT_CAP_MS, statementMs) };
}

const IDENT = `("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)`;
const ALTER_ROLE = new RegExp(String.raw`^ALTER\s+(?:ROLE|USER)\s+${IDENT}`, 'i');
const CREATE_ROLE = new RegExp(String.raw`^CREATE\s+(?:ROLE|USER)\s+${IDENT}`, 'i');
const GRANT_ROLE = new RegExp(String.raw`^GRANT\s+${IDENT}\s+TO\s+${IDENT}`, 'i');
const TRANSACTION_CONTROL = /^(BEGIN|COMMIT|ROLLBACK|START|END|ABORT)\b/i;

/**
 * What a statement does, for timeout errors: names only, never the statement text (which may
 * carry a password verifier).
 */
export function describePostgresStatement(sql: string): string {
  const text = sql.trimStart();
  const alter = ALTER_ROLE.exec(text);
  if (alter) {
    if (/\bPASSWORD\b/i.test(text)) return `setting the password of role ${alter[1]}`;
    if (/^\S+\s+\S+\s+\S+\s+(IN\s+DATABASE\s+\S+\s+)?(SET|RESET)\b/i.test(text)) {
      return `setting the session defaults of role ${alter[1]}`;
    }
    return `changing the attributes of role ${alter[1]}`;
  }
  const create = CREATE_ROLE.exec(text);
  if (create) return `creating role ${create[1]}`;
  const grant = GRANT_ROLE.exec(text);
  if (grant) return `granting role ${grant[1]} to ${grant[2]}`;
  const keyword = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase() ?? 'SQL';
  return `a ${keyword} statement`;
}

/**
 * A pg Client whose every statement finishes before the step's deadline, or is cancelled:
 * the server's statement_timeout and lock_timeout are kept no longer than the time left (so a
 * statement waiting on a lock cannot land after the function died), and a client-side timer at
 * the deadline destroys the connection (for a server or network that stopped answering). A
 * server-side timeout surfaces as DeadlineExceededError naming what the statement did.
 */
export class DeadlineBoundClient extends Client {
  /** The timeouts the session has now; undefined when unknown (after a ROLLBACK). */
  private limits: ServerLimits | undefined;
  private destroyed = false;

  constructor(
    config: ClientConfig,
    private readonly deadline: Deadline,
    initial: ServerLimits,
    /** False for servers without lock_timeout (Redshift). */
    private readonly lockTimeouts: boolean,
  ) {
    super(config);
    this.limits = initial;
  }

  /** True once the client-side timer has dropped the connection; close() then has nothing to say. */
  get wasDestroyed(): boolean {
    return this.destroyed;
  }

  // pg's query has a dozen overloads; this forwards them all and guards the promise forms Rotor uses.
  // biome-ignore lint/suspicious/noExplicitAny: the overloads' union cannot be named more precisely
  override query(...args: any[]): any {
    const [first] = args;
    const callbackForm = typeof args[args.length - 1] === 'function';
    const submittable = typeof first === 'object' && first !== null && typeof first.submit === 'function';
    if (callbackForm || submittable) return Reflect.apply(Client.prototype.query, this, args);
    const text: string = typeof first === 'string' ? first : String(first?.text ?? '');
    return this.guarded(text, () => Reflect.apply(Client.prototype.query, this, args));
  }

  private async guarded(text: string, run: () => Promise<unknown>): Promise<unknown> {
    const what = describePostgresStatement(text);
    const control = TRANSACTION_CONTROL.test(text.trimStart());
    // In a failed transaction only ROLLBACK is accepted, so transaction control never waits for a SET.
    if (!control) await this.keepLimitsWithinDeadline(what);
    try {
      return await this.deadline.run(what, run, { onTimeout: () => this.destroy() });
    } catch (error) {
      throw serverTimeoutAsDeadline(error, what, this.limits);
    } finally {
      // A SET made inside the transaction is undone with it.
      if (/^(ROLLBACK|ABORT)\b/i.test(text.trimStart())) this.limits = undefined;
    }
  }

  private async keepLimitsWithinDeadline(what: string): Promise<void> {
    const remaining = this.deadline.remainingMs();
    if (this.limits && this.limits.statementMs <= remaining) return;
    const limits = serverLimitsFor(remaining);
    if (!limits) throw new DeadlineExceededError(what, 0);
    const sql = this.lockTimeouts
      ? `SET statement_timeout = ${limits.statementMs}; SET lock_timeout = ${limits.lockMs}`
      : `SET statement_timeout = ${limits.statementMs}`;
    await this.deadline.run(
      `limiting the session's statement time before ${what}`,
      () => Reflect.apply(Client.prototype.query, this, [sql]),
      {
        onTimeout: () => this.destroy(),
      },
    );
    this.limits = limits;
  }

  private destroy(): void {
    this.destroyed = true;
    // pg has no public way to drop the socket at once; end() would wait for a server that may be gone.
    (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}

/** PostgreSQL's statement_timeout (57014) and lock_timeout (55P03) cancellations, as core's error. */
function serverTimeoutAsDeadline(error: unknown, what: string, limits: ServerLimits | undefined): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  const statementTimeout = code === '57014' && /statement timeout/i.test(text);
  const lockTimeout = code === '55P03' && /lock timeout/i.test(text);
  if (!statementTimeout && !lockTimeout) return error;
  return new DeadlineExceededError(
    what,
    (lockTimeout ? limits?.lockMs : limits?.statementMs) ?? 1,
    {},
    { cause: error },
  );
}
