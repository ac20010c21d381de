import { ROTATION_STEPS, type StrategyName } from '@rotor/rotation-core';
import { adapterSecret, type EngineTestAdapter } from '@rotor/testkit';
import type { ZipRotationRig } from '../demo/zip-rotation-rig';
import { round, type Summary, summarize } from './stats';
import type { StepBreakdown } from './step-breakdown';
import type { StepProbe } from './step-probe';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The application user the bench rotates, and the admin alternating users works as. */
export interface BenchUsers {
  readonly admin: Credentials;
  readonly app: Credentials;
}

export interface RotationBench {
  readonly strategy: StrategyName;
  /** Measured rotations (after one discarded warm-up rotation that starts the handler's worker). */
  readonly rotations: number;
  /** The warm-up rotation: worker start, zip module load and first connections included. */
  readonly firstRotationMs: number;
  /** Per step, as the handler timed itself (its `step finished` log line). */
  readonly steps: Readonly<Record<string, Summary>>;
  /** The four steps added up, per rotation. */
  readonly handlerTotalMs: Summary;
  /** RotateSecret from request to answer (the emulator invokes the four steps in between). */
  readonly rotateSecretMs: Summary;
  /** Secrets Manager calls per rotation, from the handlers' log lines (the same every time). */
  readonly secretsManagerCalls: { readonly min: number; readonly max: number };
  readonly callsPerStep: Readonly<Record<string, number>>;
  /** Per step, what the real clients did on the wire (with a probe: engines that have a server). */
  readonly breakdown?: readonly StepBreakdown[];
  /** Set when a rotation failed; the figures then cover the rotations before it. */
  readonly failure?: string;
}

/**
 * Rotates one secret `runs` (+1 warm-up) times through the zip's handler for `strategy` and
 * collects the handler's own step timings and call counts. Figures only: nothing is asserted.
 */
export async function benchRotations(
  rig: ZipRotationRig,
  database: EngineTestAdapter,
  users: BenchUsers,
  strategy: StrategyName,
  runs: number,
  current: Credentials,
  probe?: StepProbe,
): Promise<RotationBench> {
  // Through the probe's database proxy, so that every login and round trip is seen.
  const via = probe === undefined ? {} : { host: probe.dbProxy.host, port: probe.dbProxy.port };
  const masterarn =
    strategy === 'alternating-users'
      ? await rig.createSecret(`bench/${users.admin.username}/${strategy}`, {
          ...adapterSecret(database, users.admin),
          ...via,
        })
      : undefined;
  const secret = await rig.createSecret(`bench/${users.app.username}/${strategy}`, {
    ...adapterSecret(database, current, masterarn === undefined ? {} : { masterarn }),
    ...via,
  });
  const stepSamples: Record<string, number[]> = Object.fromEntries(ROTATION_STEPS.map((s) => [s, []]));
  const totals: number[] = [];
  const walls: number[] = [];
  const calls: number[] = [];
  const callsPerStep: Record<string, number> = {};
  let firstRotationMs = Number.NaN;
  let failure: string | undefined;
  for (let i = 0; i <= runs; i++) {
    if (probe !== undefined) probe.rotation = i;
    const started = process.hrtime.bigint();
    const outcome = await rig.rotate(secret, strategy);
    const wall = Number(process.hrtime.bigint() - started) / 1e6;
    if (!outcome.ok) {
      failure = outcome.failure
        ? `${outcome.failure.step}: ${outcome.failure.errorName}: ${outcome.failure.errorMessage}`
        : 'the rotation did not finish';
      break;
    }
    if (i === 0) {
      firstRotationMs = round(wall);
      continue;
    }
    walls.push(wall);
    totals.push(outcome.steps.reduce((sum, s) => sum + s.durationMs, 0));
    calls.push(outcome.steps.reduce((sum, s) => sum + s.secretsManagerCalls, 0));
    for (const s of outcome.steps) {
      stepSamples[s.step]?.push(s.durationMs);
      callsPerStep[s.step] = s.secretsManagerCalls;
    }
  }
  return {
    strategy,
    rotations: walls.length,
    firstRotationMs,
    steps: Object.fromEntries(
      Object.entries(stepSamples).map(([step, samples]) => [step, summarize(samples)]),
    ),
    handlerTotalMs: summarize(totals),
    rotateSecretMs: summarize(walls),
    secretsManagerCalls: { min: Math.min(...calls), max: Math.max(...calls) },
    callsPerStep,
    ...(probe === undefined ? {} : { breakdown: probe.takeBreakdown(ROTATION_STEPS) }),
    ...(failure === undefined ? {} : { failure }),
  };
}
