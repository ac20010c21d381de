import { FaultConfigError } from './errors';

/**
 * What the emulator can do to a request instead of (or besides) answering it normally:
 * - `throttle`: HTTP 400 `ThrottlingException`, the operation is not run;
 * - `internal-error`: HTTP 500 `InternalServiceError`, the operation is not run;
 * - `delay`: wait `delayMs`, then answer normally;
 * - `response-lost`: run the operation (a write is applied and persisted), then destroy the
 *   connection without answering, as when a response is lost on the way back.
 */
export type FaultKind = 'throttle' | 'internal-error' | 'delay' | 'response-lost';

export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'internal-error', 'delay', 'response-lost'];

export interface FaultRule {
  kind: FaultKind;
  /** The operation name (e.g. `PutSecretValue`); absent or `*` matches every operation. */
  operation?: string;
  /**
   * Which matching calls to hit, 1-based, counted per rule from when it was added: `3` hits the
   * third call, `[1, 2]` the first two. Without `nth` (and without `probability`) every call is hit.
   */
  nth?: number | number[];
  /** Hit each matching call with this probability (0–1), drawn from the injector's seeded generator. */
  probability?: number;
  /** Stop hitting after this many hits. */
  times?: number;
  /** For `delay`: how long; default 1000. */
  delayMs?: number;
}

export interface FaultConfig {
  /** Seed for `probability` rules; the same seed and call sequence give the same faults. */
  seed?: number;
  rules?: FaultRule[];
}

export interface FaultDecision {
  kind: FaultKind;
  delayMs: number;
}

interface ActiveRule {
  rule: FaultRule;
  calls: number;
  hits: number;
}

/**
 * Decides, per incoming call, whether a fault hits it. Rules are checked in the order added; the
 * first that hits wins. Counts of hits by kind are kept for reports.
 */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private random: () => number;
  private readonly hitCounts = new Map<FaultKind, number>();

  constructor(config: FaultConfig = {}) {
    this.random = seededRandom(config.seed ?? 1);
    for (const rule of config.rules ?? []) this.add(rule);
  }

  add(rule: FaultRule): void {
    checkRule(rule);
    this.rules.push({ rule: { ...rule }, calls: 0, hits: 0 });
  }

  /** Removes every rule (hit counts are kept). */
  clear(): void {
    this.rules = [];
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** How many calls each kind of fault has hit since the injector was made. */
  counts(): Record<FaultKind, number> {
    return Object.fromEntries(FAULT_KINDS.map((k) => [k, this.hitCounts.get(k) ?? 0])) as Record<
      FaultKind,
      number
    >;
  }

  decide(operation: string): FaultDecision | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.operation !== undefined && rule.operation !== '*' && rule.operation !== operation) continue;
      active.calls += 1;
      if (rule.times !== undefined && active.hits >= rule.times) continue;
      if (!this.hits(rule, active.calls)) continue;
      active.hits += 1;
      this.hitCounts.set(rule.kind, (this.hitCounts.get(rule.kind) ?? 0) + 1);
      return { kind: rule.kind, delayMs: rule.delayMs ?? 1000 };
    }
    return undefined;
  }

  private hits(rule: FaultRule, call: number): boolean {
    if (rule.nth !== undefined) {
      const wanted = Array.isArray(rule.nth) ? rule.nth : [rule.nth];
      if (!wanted.includes(call)) return false;
    }
    return rule.probability === undefined || this.random() < rule.probability;
  }
}

/** Parses a fault configuration from JSON text (the `--faults` file). */
export function parseFaultConfig(text: string, source: string): FaultConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FaultConfigError(`${source} is not valid JSON.`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new FaultConfigError(`${source} must be an object {seed?, rules: [...]}.`);
  const { seed, rules } = parsed as { seed?: unknown; rules?: unknown };
  if (seed !== undefined && !Number.isInteger(seed))
    throw new FaultConfigError(`${source}: seed must be an integer.`);
  if (rules !== undefined && !Array.isArray(rules))
    throw new FaultConfigError(`${source}: rules must be a list.`);
  const config: FaultConfig = { seed: seed as number | undefined, rules: (rules ?? []) as FaultRule[] };
  config.rules?.forEach((rule, i) => {
    try {
      checkRule(rule);
    } catch (error) {
      throw new FaultConfigError(`${source}: rules[${i}]: ${(error as Error).message}`, { cause: error });
    }
  });
  return config;
}

function checkRule(rule: FaultRule): void {
  if (typeof rule !== 'object' || rule === null) throw new FaultConfigError('a rule must be an object.');
  if (!FAULT_KINDS.includes(rule.kind))
    throw new FaultConfigError(`kind must be one of ${FAULT_KINDS.join(', ')}.`);
  if (rule.operation !== undefined && typeof rule.operation !== 'string')
    throw new FaultConfigError('operation must be a string.');
  const nth = rule.nth === undefined ? [] : Array.isArray(rule.nth) ? rule.nth : [rule.nth];
  if (!nth.every((n) => Number.isInteger(n) && n >= 1))
    throw new FaultConfigError('nth must be a positive integer or a list of them.');
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1))
    throw new FaultConfigError('probability must be between 0 and 1.');
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 0))
    throw new FaultConfigError('times must be a non-negative integer.');
  if (rule.delayMs !== undefined && !(Number.isInteger(rule.delayMs) && rule.delayMs >= 0))
    throw new FaultConfigError('delayMs must be a non-negative integer.');
}

/** mulberry32: small, fast and good enough to make fault runs reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
