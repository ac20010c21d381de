import type { StrategyName } from '@rotor/rotation-core';
import { describeWithDatabase } from '../jest/describe-with-database';
import { describeFault, FaultRig, ROTATION_STEPS, type RotationStep, type StepFault } from './fault-rig';
import type { InvariantCase } from './rotation-invariant';
import type { EngineConformanceOptions } from './run-engine-conformance-suite';

/** Every fault point of the matrix; `db-reset`'s byte count is aimed per engine at run time. */
export const MATRIX_FAULTS: readonly StepFault[] = [
  { kind: 'db-refuse' },
  { kind: 'db-reset', bytes: 0 },
  { kind: 'db-stall' },
  { kind: 'sm', rule: { kind: 'throttle' } },
  { kind: 'sm', rule: { kind: 'internal-error' } },
  { kind: 'sm', rule: { kind: 'response-lost', operation: 'PutSecretValue', nth: 1 } },
  { kind: 'sm', rule: { kind: 'response-lost', operation: 'UpdateSecretVersionStage', nth: 1 } },
  { kind: 'sm', rule: { kind: 'delay', delayMs: 300 } },
];

/** Each handler invocation believes it has this long before Lambda's timeout. */
const STEP_BUDGET_MS = 5000;

/**
 * Every step × every fault point × both strategies, through the emulator's RotateSecret and the
 * real handlers: the fault hits one step; the invariant must hold right after; then the fault is
 * cleared, the service's retry runs the rotation to the end, and the invariant holds again; and
 * the next rotation completes cleanly.
 */
export function runEngineFaultMatrix(options: EngineConformanceOptions): void {
  describeWithDatabase(options.target, `${options.target} rotation under faults`, (server) => {
    let rig: FaultRig;
    /** Bytes after which a reset cuts the last statement of the busiest connection of a rotation. */
    const resetAt = new Map<StrategyName, number>();

    beforeAll(async () => {
      rig = await FaultRig.start(await options.createAdapter(server()), STEP_BUDGET_MS);
      rig.logs.install();
      for (const strategy of ['single-user', 'alternating-users'] as const) {
        const c = await rig.newCase(strategy);
        const from = rig.proxy.finished.length;
        await rig.rotate(c);
        expect(await rig.check(c, 'after')).toEqual([]);
        const busiest = Math.max(...rig.proxy.finished.slice(from).map((f) => f.up));
        // The connection's last bytes are its goodbye message; 6 back is inside the last statement.
        resetAt.set(strategy, Math.max(1, busiest - 6));
      }
    }, 120_000);

    afterAll(async () => {
      rig?.logs.uninstall();
      await rig?.stop();
    });

    const cases: [StrategyName, RotationStep, StepFault][] = [];
    for (const strategy of ['single-user', 'alternating-users'] as const)
      for (const step of ROTATION_STEPS)
        for (const fault of MATRIX_FAULTS) cases.push([strategy, step, fault]);

    test.each(cases.map(([s, step, f]) => [s, step, describeFault(f), f] as const))(
      '%s %s with %s: the invariant holds after the fault, after the retry and after the next rotation',
      async (strategy, step, _label, fault) => {
        const c: InvariantCase = await rig.newCase(strategy);
        await rig.rotate(c);
        expect(await rig.check(c, 'after')).toEqual([]);

        const aimed = fault.kind === 'db-reset' ? { ...fault, bytes: resetAt.get(strategy) ?? 1 } : fault;
        rig.arm(step, aimed);
        await rig.rotate(c);
        rig.clearFaults();
        const unfinished = rig.unfinished(c);
        expect(await rig.check(c, unfinished ? 'during' : 'after')).toEqual([]);

        if (unfinished) await rig.reattempt(c);
        expect(rig.unfinished(c)).toBe(false);
        expect(await rig.check(c, 'after')).toEqual([]);

        await rig.rotate(c);
        expect(rig.unfinished(c)).toBe(false);
        expect(await rig.check(c, 'after')).toEqual([]);
      },
      60_000,
    );
  });
}
