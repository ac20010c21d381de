// The seeded soak behind `pnpm soak` and the short run in the test suite: rotations across the
// embedded PostgreSQL and MariaDB, both strategies, random faults, the invariant after each.
import { databaseAvailability, runFaultSoak, type SoakFigures } from '@rotor/testkit';
import { mariadbSoakAdapter, postgresSoakAdapter, type SoakAdapter } from './soak-adapters';

export async function soakAcrossEngines(
  rotations: number,
  seed: number,
  progress?: (line: string) => void,
): Promise<{ figures: SoakFigures; skipped: string[] }> {
  const adapters: SoakAdapter[] = [];
  const skipped: string[] = [];
  const postgres = databaseAvailability('postgres');
  const mariadb = databaseAvailability('mariadb');
  if (postgres.available) adapters.push(postgresSoakAdapter(postgres.server));
  else skipped.push(`postgres: ${postgres.reason}`);
  if (mariadb.available) adapters.push(await mariadbSoakAdapter(mariadb.server));
  else skipped.push(`mariadb: ${mariadb.reason}`);
  try {
    const figures = await runFaultSoak({
      targets: adapters.map((adapter) => ({ label: adapter.label, adapter })),
      rotations,
      seed,
      ...(progress ? { progress } : {}),
    });
    return { figures, skipped };
  } finally {
    for (const adapter of adapters) await adapter.cleanup().catch(() => undefined);
  }
}
