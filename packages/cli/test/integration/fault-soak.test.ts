// A short seeded soak: 20 rotations across the embedded PostgreSQL and MariaDB (where given),
// both strategies, random faults, the invariant after each fault and each rotation.
import { formatSoakFigures } from '@rotor/testkit';
import { soakAcrossEngines } from '../soak/run-soak';

test('20 seeded rotations under random faults keep the invariant', async () => {
  const { figures } = await soakAcrossEngines(20, 20_261_202);
  if (figures.violations > 0) process.stdout.write(`${formatSoakFigures(figures)}\n`);
  expect(figures.violationSamples).toEqual([]);
  expect(figures.rotations).toBe(20);
  expect(Object.values(figures.faultsInjected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
}, 600_000);
