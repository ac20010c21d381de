import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipToDirectory } from '@rotor/secrets-manager-local';
import type { DatabaseServer, TargetName } from '@rotor/testkit';
import type { DemoDatabase } from '../demo/demo-database';
import { MysqlDemoDatabase } from '../demo/mysql-demo-database';
import { PostgresDemoDatabase } from '../demo/postgres-demo-database';
import { ZipRotationRig } from '../demo/zip-rotation-rig';
import { engineModuleNamed } from '../engines/engine-registry';
import { buildEngineZip } from '../packaging/build-engine-zip';
import { STRATEGIES } from '../packaging/engine-packages';
import { findRepoRoot } from '../packaging/repo-root';
import { BENCH_NOTES, type BenchReport, type EngineBench, formatEngine } from './bench-report';
import { type ColdStart, measureBaseline, measureHandlerColdStart } from './cold-start';
import { benchRotations } from './rotation-bench';

/** At least 20 of each measurement; ROTOR_BENCH_RUNS raises it. */
const RUNS = Math.max(20, Number(process.env.ROTOR_BENCH_RUNS ?? 20) || 20);
const MYSQL_VARIABLES: readonly [string, TargetName][] = [
  ['ROTOR_TEST_MARIADB_URL', 'mariadb'],
  ['ROTOR_TEST_MYSQL84_URL', 'mysql84'],
  ['ROTOR_TEST_MYSQL80_URL', 'mysql80'],
];

type Testkit = typeof import('@rotor/testkit');

/** A server for the engine, or why there is none: PostgreSQL is always available (embedded). */
async function serverFor(
  testkit: Testkit,
  engine: string,
): Promise<{ server: DatabaseServer; database: DemoDatabase } | { reason: string }> {
  if (engine === 'postgres') {
    const result = process.env.ROTOR_TEST_POSTGRES_URL
      ? await testkit.provisionDatabase('postgres')
      : { status: 'started' as const, server: await testkit.startEmbeddedPostgres() };
    if (result.status !== 'started') return { reason: result.reason };
    return { server: result.server, database: new PostgresDemoDatabase(result.server) };
  }
  const chosen = MYSQL_VARIABLES.find(([variable]) => (process.env[variable] ?? '').trim() !== '');
  if (chosen === undefined) {
    return { reason: `no server: set ${MYSQL_VARIABLES.map(([v]) => v).join(', ')} to a superuser URL` };
  }
  const result = await testkit.provisionDatabase(chosen[1]);
  if (result.status !== 'started') return { reason: result.reason };
  return { server: result.server, database: new MysqlDemoDatabase(result.server) };
}

async function benchEngine(
  testkit: Testkit,
  engine: string,
  work: string,
  repoRoot: string,
  baseline: ColdStart,
  say: (line: string) => void,
): Promise<EngineBench | { reason: string }> {
  const zip = await buildEngineZip({
    module: engineModuleNamed(engine),
    repoRoot,
    outDir: work,
  });
  const provided = await serverFor(testkit, engine);
  if ('reason' in provided) return provided;
  const { server, database } = provided;
  try {
    say(`${engine}: cold start, ${RUNS} fresh processes per handler…`);
    const unpacked = join(work, `${engine}-unpacked`);
    unzipToDirectory(readFileSync(zip.file), unpacked);
    const coldStart: Record<string, ColdStart> = {};
    for (const strategy of STRATEGIES) {
      coldStart[`${strategy}.js`] = measureHandlerColdStart(join(unpacked, `${strategy}.js`), RUNS, baseline);
    }

    say(`${engine}: ${RUNS} rotations per strategy against ${database.description}…`);
    const users = await database.setUp({
      admin: testkit.uniqueName('ba'),
      app: testkit.uniqueName('bp'),
      database: testkit.uniqueName('rot_bench'),
      table: 'orders',
    });
    const rig = await ZipRotationRig.start(zip.file);
    try {
      const single = await benchRotations(rig, database, users, 'single-user', RUNS, users.app);
      const now = await rig.currentValue(`bench/${users.app.username}/single-user`);
      const alternating = await benchRotations(rig, database, users, 'alternating-users', RUNS, {
        username: String(now.username),
        password: String(now.password),
      });
      return {
        engine,
        database: database.description,
        zip: { file: `dist/rotor-${engine}.zip`, bytes: zip.bytes },
        coldStart,
        rotations: [single, alternating],
      };
    } finally {
      await rig.stop();
      await database.tearDown(users).catch(() => {});
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  // Local figures only; the SDK's notice about future Node.js versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const repoRoot = findRepoRoot(__dirname);
  // The testkit is a workspace dev dependency: benchmarks run in a checkout only.
  const testkit = require('@rotor/testkit') as Testkit;
  const work = mkdtempSync(join(tmpdir(), 'rotor-bench-'));
  const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
  try {
    say(`baseline: ${RUNS} runs of node -e 0…`);
    const baseline = measureBaseline(RUNS);
    const engines: EngineBench[] = [];
    const skipped: { engine: string; reason: string }[] = [];
    for (const engine of ['postgres', 'mysql']) {
      const result = await benchEngine(testkit, engine, work, repoRoot, baseline, say);
      if ('reason' in result) skipped.push({ engine, reason: result.reason });
      else engines.push(result);
    }
    const report: BenchReport = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      runs: RUNS,
      baseline,
      engines,
      skipped,
    };
    const out = [
      `Rotor benchmarks: ${report.node}, ${report.platform}, ${report.cpus} CPUs, ${RUNS} runs each`,
      '',
      ...engines.map((e) => formatEngine(e, baseline)),
      ...skipped.map((s) => `${s.engine}  skipped: ${s.reason}\n`),
      BENCH_NOTES,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    const dir = join(repoRoot, 'bench-results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'bench.json');
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nwritten: bench-results/bench.json\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  const e = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(`bench failed: ${e.name}: ${e.message.split('\n')[0]}\n`);
  process.exitCode = 1;
});
