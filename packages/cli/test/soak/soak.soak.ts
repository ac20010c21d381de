// `pnpm soak`: ROTOR_SOAK_ROTATIONS (default 500) seeded rotations (ROTOR_SOAK_SEED, default 1)
// under random faults; prints its figures and fails on any invariant violation.
import { formatSoakFigures } from '@rotor/testkit';
import { soakAcrossEngines } from './run-soak';

const rotations = Number(process.env.ROTOR_SOAK_ROTATIONS ?? 500);
const seed = Number(process.env.ROTOR_SOAK_SEED ?? 1);

test(
  `soak: ${rotations} rotations under random faults, seed ${seed}`,
  async () => {
    const { figures, skipped } = await soakAcrossEngines(rotations, seed, (line) =>
      process.stdout.write(`${line}\n`),
    );
    for (const line of skipped) process.stdout.write(`SKIP ${line}\n`);
    process.stdout.write(`${formatSoakFigures(figures)}\n`);
    expect(figures.rotations).toBe(rotations);
    expect(figures.violationSamples).toEqual([]);
    expect(figures.violations).toBe(0);
  },
  4 * 60 * 60 * 1000,
);
