import type { StrategyName } from '@rotor/rotation-core';
import { seededRandom } from '@rotor/secrets-manager-local';
import type { FaultRigAdapter } from './engine-test-adapter';
import { describeFault, FaultRig, ROTATION_STEPS, type StepFault } from './fault-rig';
import type { InvariantCase } from './rotation-invariant';

export interface SoakTarget {
  readonly label: string;
  readonly adapter: FaultRigAdapter;
}

export interface SoakOptions {
  readonly targets: readonly SoakTarget[];
  readonly rotations: number;
  readonly seed: number;
  /** Share of rotations that get a fault (0–1); default 0.6. */
  readonly faultRate?: number;
  /** What each step's context reports as remaining; default 3000. */
  readonly stepBudgetMs?: number;
  /** Progress lines (no secrets in them); default none. */
  readonly progress?: (line: string) => void;
}

export interface SoakFigures {
  seed: number;
  rotations: number;
  byTarget: Record<string, number>;
  byStrategy: Record<string, number>;
  /** Faults armed, by kind (a fault armed on a step that makes no such call hits nothing). */
  faultsInjected: Record<string, number>;
  /** Faults the emulator actually applied to a call, by kind. */
  emulatorFaultHits: Record<string, number>;
  /** Connections the database proxy refused or reset. */
  proxyRefused: number;
  proxyResets: number;
  failedSteps: number;
  /** Rotations the service had to re-attempt, and the attempts made. */
  retriedRotations: number;
  retryAttempts: number;
  /** Rotations still unfinished after the re-attempts. */
  failures: number;
  violations: number;
  /** The first violations, each with its rotation number, target, strategy and fault. */
  violationSamples: string[];
  p50Ms: number;
  p95Ms: number;
}

/** Weighted: stalls cost a whole step budget each, so they are rarer. */
const FAULT_POOL: ReadonlyArray<[number, StepFault]> = [
  [3, { kind: 'db-refuse' }],
  [3, { kind: 'db-reset', bytes: 0 }],
  [1, { kind: 'db-stall' }],
  [3, { kind: 'sm', rule: { kind: 'throttle', probability: 0.7 } }],
  [3, { kind: 'sm', rule: { kind: 'internal-error', probability: 0.7 } }],
  [3, { kind: 'sm', rule: { kind: 'response-lost', operation: 'PutSecretValue', nth: 1 } }],
  [3, { kind: 'sm', rule: { kind: 'response-lost', operation: 'UpdateSecretVersionStage', nth: 1 } }],
  [2, { kind: 'sm', rule: { kind: 'delay', delayMs: 200, probability: 0.5 } }],
];

/**
 * Seeded random rotations under random faults across targets and both strategies; after each
 * fault and each rotation the invariant is checked. The same seed gives the same sequence of
 * targets, strategies, steps and faults (timing-dependent effects such as which statement a
 * reset cuts may still differ).
 */
export async function runFaultSoak(options: SoakOptions): Promise<SoakFigures> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const figures: SoakFigures = {
    seed: options.seed,
    rotations: 0,
    byTarget: {},
    byStrategy: {},
    faultsInjected: {},
    emulatorFaultHits: {},
    proxyRefused: 0,
    proxyResets: 0,
    failedSteps: 0,
    retriedRotations: 0,
    retryAttempts: 0,
    failures: 0,
    violations: 0,
    violationSamples: [],
    p50Ms: 0,
    p95Ms: 0,
  };
  const durations: number[] = [];
  const rigs: FaultRig[] = [];
  try {
    const setups = [];
    for (const target of options.targets) {
      const rig = await FaultRig.start(target.adapter, options.stepBudgetMs ?? 3000);
      rigs.push(rig);
      rig.emulator.faults.reseed(options.seed);
      const cases = new Map<StrategyName, InvariantCase>();
      for (const strategy of ['single-user', 'alternating-users'] as const)
        cases.set(strategy, await rig.newCase(strategy));
      setups.push({ target, rig, cases, resetAt: await aimReset(rig, cases) });
    }
    for (let i = 1; i <= options.rotations; i++) {
      const setup = pick(setups);
      const strategy = pick(['single-user', 'alternating-users'] as const);
      const { rig } = setup;
      const c = setup.cases.get(strategy) as InvariantCase;
      let fault: StepFault | undefined;
      if (random() < (options.faultRate ?? 0.6)) {
        fault = weighted(FAULT_POOL, random);
        if (fault.kind === 'db-reset') fault = { ...fault, bytes: setup.resetAt.get(strategy) ?? 1 };
        const label = describeFault(fault).replace(/@\d+$/, '');
        figures.faultsInjected[label] = (figures.faultsInjected[label] ?? 0) + 1;
        rig.arm(pick(ROTATION_STEPS), fault);
      }
      const where = `rotation ${i} (${setup.target.label}, ${strategy}, ${fault ? describeFault(fault) : 'no fault'})`;
      const started = Date.now();
      const found: string[] = [];
      try {
        await rig.rotate(c);
      } catch (error) {
        found.push(`RotateSecret failed: ${(error as Error).name}`);
      }
      rig.clearFaults();
      const unfinished = rig.unfinished(c);
      found.push(...(await rig.check(c, unfinished ? 'during' : 'after')));
      if (unfinished) {
        figures.retriedRotations += 1;
        figures.retryAttempts += await rig.reattempt(c);
        if (rig.unfinished(c)) figures.failures += 1;
        found.push(...(await rig.check(c, 'after')));
      }
      durations.push(Date.now() - started);
      figures.rotations += 1;
      figures.byTarget[setup.target.label] = (figures.byTarget[setup.target.label] ?? 0) + 1;
      figures.byStrategy[strategy] = (figures.byStrategy[strategy] ?? 0) + 1;
      if (found.length > 0) {
        // The handler's own last failure says which step broke and why (handler logs carry no secrets).
        const failure = rig.logs
          .records()
          .filter((r) => r.message === 'step failed')
          .at(-1) as { step?: string; error?: { name?: string; code?: string } } | undefined;
        if (failure)
          found.push(
            `last step failure: ${failure.step} ${failure.error?.name} ${failure.error?.code ?? ''}`,
          );
        figures.violations += found.length - (failure ? 1 : 0);
        if (figures.violationSamples.length < 20)
          figures.violationSamples.push(`${where}: ${found.join('; ')}`);
      }
      if (i % 50 === 0)
        options.progress?.(`soak: ${i}/${options.rotations} rotations, ${figures.violations} violations`);
    }
  } finally {
    for (const rig of rigs) {
      figures.failedSteps += rig.failedSteps;
      figures.proxyRefused += rig.proxy.stats.refused;
      figures.proxyResets += rig.proxy.stats.resets;
      for (const [kind, n] of Object.entries(rig.emulator.faults.counts()))
        figures.emulatorFaultHits[kind] = (figures.emulatorFaultHits[kind] ?? 0) + n;
      await rig.stop();
    }
  }
  durations.sort((a, b) => a - b);
  figures.p50Ms = percentile(durations, 0.5);
  figures.p95Ms = percentile(durations, 0.95);
  return figures;
}

/** One clean rotation per strategy; a reset then aims 6 bytes before the busiest connection's end. */
async function aimReset(
  rig: FaultRig,
  cases: Map<StrategyName, InvariantCase>,
): Promise<Map<StrategyName, number>> {
  const aims = new Map<StrategyName, number>();
  for (const [strategy, c] of cases) {
    const from = rig.proxy.finished.length;
    await rig.rotate(c);
    const problems = await rig.check(c, 'after');
    if (problems.length > 0) {
      const failure = rig.logs
        .records()
        .filter((r) => r.message === 'step failed')
        .at(-1);
      throw new Error(
        `${rig.adapter.label} ${strategy}: the clean rotation before the soak failed (${problems.join('; ')}); last step failure: ${JSON.stringify(failure)}`,
      );
    }
    const busiest = Math.max(1, ...rig.proxy.finished.slice(from).map((f) => f.up));
    aims.set(strategy, Math.max(1, busiest - 6));
  }
  return aims;
}

function weighted<T>(pool: ReadonlyArray<[number, T]>, random: () => number): T {
  const total = pool.reduce((sum, [w]) => sum + w, 0);
  let roll = random() * total;
  for (const [w, item] of pool) {
    roll -= w;
    if (roll < 0) return item;
  }
  return (pool.at(-1) as [number, T])[1];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}

/** The figures as printed lines. */
export function formatSoakFigures(f: SoakFigures): string {
  const kv = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  return [
    `soak seed ${f.seed}: ${f.rotations} rotations (${kv(f.byTarget)}; ${kv(f.byStrategy)})`,
    `faults injected: ${kv(f.faultsInjected)}`,
    `emulator fault hits: ${kv(f.emulatorFaultHits)}; proxy refused ${f.proxyRefused}, reset ${f.proxyResets}`,
    `failed step invocations ${f.failedSteps}; rotations retried ${f.retriedRotations} (${f.retryAttempts} attempts); failures ${f.failures}`,
    `invariant violations ${f.violations}`,
    ...f.violationSamples.map((s) => `  ${s}`),
    `rotation time p50 ${f.p50Ms} ms, p95 ${f.p95Ms} ms`,
  ].join('\n');
}
