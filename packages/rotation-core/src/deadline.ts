import { RotationError, type RotationErrorContext } from './errors';

/**
 * The moment by which a step must have finished, with a safety margin before Lambda would kill
 * the function. Every network call of a step (database and Secrets Manager) gets its timeout from
 * here, so a step fails cleanly with an error naming what timed out, instead of `Task timed out`
 * with a statement still running that may land after the function died.
 */
export class Deadline {
  constructor(
    /** Epoch milliseconds. */
    readonly expiresAt: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A deadline `ms` from now. */
  static after(ms: number, now: () => number = Date.now): Deadline {
    return new Deadline(now() + ms, now);
  }

  /**
   * From a Lambda context's `getRemainingTimeInMillis()`, less `marginMs` (the time kept to report
   * the failure, close sessions and let the runtime flush logs). Without a usable context (local
   * runs, tests), `fallbackMs` from now.
   */
  static fromLambdaContext(context: unknown, marginMs: number, fallbackMs: number): Deadline {
    const remaining = lambdaRemainingMs(context);
    if (remaining === undefined) return Deadline.after(fallbackMs);
    // Keep at least a third of the remaining time for the work itself when the margin is large.
    const margin = Math.min(marginMs, Math.floor(remaining / 3));
    return Deadline.after(Math.max(0, remaining - margin));
  }

  remainingMs(): number {
    return Math.max(0, this.expiresAt - this.now());
  }

  expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /**
   * The timeout for one call: what is left, capped at `capMs`. Throws DeadlineExceededError,
   * naming `what`, when nothing is left (so no call starts that could not finish in time).
   */
  budgetMs(what: string, capMs?: number, context: RotationErrorContext = {}): number {
    const left = this.remainingMs();
    if (left <= 0) throw new DeadlineExceededError(what, 0, context);
    return capMs === undefined ? left : Math.max(1, Math.min(left, capMs));
  }

  /**
   * Runs `work` with an AbortSignal that fires at the deadline (or after `capMs`), and rejects with
   * DeadlineExceededError naming `what` when it does. `work` must stop what it started when the
   * signal fires (destroy the socket, cancel the statement); `onTimeout` is the place for that
   * when `work` cannot watch the signal itself.
   */
  async run<T>(
    what: string,
    work: (signal: AbortSignal) => Promise<T>,
    options: { capMs?: number; context?: RotationErrorContext; onTimeout?: () => void } = {},
  ): Promise<T> {
    const ms = this.budgetMs(what, options.capMs, options.context);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new DeadlineExceededError(what, ms, options.context ?? {});
        controller.abort(error);
        try {
          options.onTimeout?.();
        } finally {
          reject(error);
        }
      }, ms);
      timer.unref?.();
    });
    try {
      return await Promise.race([work(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A network call did not finish before the step's deadline; `what` names the call. */
export class DeadlineExceededError extends RotationError {
  override name = 'DeadlineExceededError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    context: RotationErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(
      timeoutMs > 0
        ? `${what} did not finish within ${timeoutMs} ms and was cancelled, so that it cannot land after the function's deadline`
        : `no time left before the function's deadline to start ${what}`,
      context,
      options,
    );
  }
}

function lambdaRemainingMs(context: unknown): number | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const fn = (context as { getRemainingTimeInMillis?: unknown }).getRemainingTimeInMillis;
  if (typeof fn !== 'function') return undefined;
  const value = fn.call(context);
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
