import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEngineZip, findRepoRoot, STRATEGIES } from '@rotor/cli';
import type { EngineModule } from '@rotor/rotation-core';
import { unzipToDirectory } from '@rotor/secrets-manager-local';
import { type EngineTestAdapter, uniqueName } from '@rotor/testkit';
import { newPassword } from '../demo/new-password';
import { ZipRotationRig } from '../demo/zip-rotation-rig';
import { DEV_ENGINES, describeServer, serverFor, testAdapterFactory } from '../dev-engines';
import {
  BENCH_NOTES,
  type BenchReport,
  type EngineBench,
  formatEngine,
  formatSkipped,
  type SkippedEngine,
} from './bench-report';
import { type ColdStart, measureBaseline, measureHandlerColdStart } from './cold-start';
import { type BenchUsers, benchRotations } from './rotation-bench';
import { StepProbe } from './step-probe';
import type { WireProtocol } from './wire-meter';

/** 20 of each measurement unless ROTOR_BENCH_RUNS says how many (fewer for a quick look). */
const RUNS = Math.max(1, Math.floor(Number(process.env.ROTOR_BENCH_RUNS ?? 20)) || 20);

/** Every engine, or those ROTOR_BENCH_ENGINES names (comma-separated, e.g. `mysql,postgres`). */
function benchedEngines(): readonly EngineModule[] {
  const wanted = (process.env.ROTOR_BENCH_ENGINES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (wanted.length === 0) return DEV_ENGINES;
  const unknown = wanted.filter((name) => !DEV_ENGINES.some((e) => e.name === name));
  if (unknown.length > 0)
    throw new Error(
      `ROTOR_BENCH_ENGINES names no engine ${unknown.join(', ')}; engines: ${DEV_ENGINES.map((e) => e.name).join(', ')}`,
    );
  return DEV_ENGINES.filter((e) => wanted.includes(e.name));
}

/** The wire protocol the engine's driver speaks, where the bench can meter it. */
function wireProtocol(engine: EngineModule): WireProtocol | undefined {
  if (engine.name === 'postgres' || engine.name === 'redshift') return 'postgres';
  if (engine.name === 'mysql') return 'mysql';
  return undefined;
}

async function benchEngine(
  engine: EngineModule,
  work: string,
  repoRoot: string,
  baseline: ColdStart,
  say: (line: string) => void,
): Promise<EngineBench | SkippedEngine> {
  const zip = await buildEngineZip({
    module: engine,
    repoRoot,
    outDir: work,
  });
  const zipFigures = { file: `dist/rotor-${engine.name}.zip`, bytes: zip.bytes };
  // Cold start needs no database: every engine's handlers are measured, with a server or not.
  say(`${engine.name}: cold start, ${RUNS} fresh processes per handler…`);
  const unpacked = join(work, `${engine.name}-unpacked`);
  unzipToDirectory(readFileSync(zip.file), unpacked);
  const coldStart: Record<string, ColdStart> = {};
  for (const strategy of STRATEGIES) {
    coldStart[`${strategy}.js`] = measureHandlerColdStart(join(unpacked, `${strategy}.js`), RUNS, baseline);
  }
  const provided = await serverFor(engine);
  if ('reason' in provided)
    return { engine: engine.name, reason: provided.reason, zip: zipFigures, coldStart };
  const { server } = provided;
  try {
    const adapter: EngineTestAdapter = await testAdapterFactory(engine)(server, {
      database: uniqueName('rot_bench'),
    });
    const description = describeServer(adapter.product, server);
    say(`${engine.name}: ${RUNS} rotations per strategy against ${description}…`);
    const users: BenchUsers = {
      admin: { username: uniqueName('ba'), password: newPassword() },
      app: { username: uniqueName('bp'), password: newPassword() },
    };
    const table = 'orders';
    const protocol = wireProtocol(engine);
    const su = adapter.superuser();
    const probe =
      protocol === undefined ? undefined : await StepProbe.start(protocol, { host: su.host, port: su.port });
    const rig = await ZipRotationRig.start(
      zip.file,
      probe === undefined ? {} : { onInvocation: probe.onInvocation, endpointFor: probe.endpointFor },
    );
    try {
      if (adapter.createAdminUser === undefined)
        throw new Error(`the ${adapter.label} test adapter has no createAdminUser, which the bench needs`);
      await adapter.createAppUser(users.app.username, users.app.password, table);
      await adapter.createAdminUser(users.admin.username, users.admin.password, users.app.username);
      const single = await benchRotations(rig, adapter, users, 'single-user', RUNS, users.app, probe);
      const now = await rig.currentValue(`bench/${users.app.username}/single-user`);
      const alternating = await benchRotations(
        rig,
        adapter,
        users,
        'alternating-users',
        RUNS,
        {
          username: String(now.username),
          password: String(now.password),
        },
        probe,
      );
      return {
        engine: engine.name,
        database: description,
        zip: zipFigures,
        coldStart,
        rotations: [single, alternating],
      };
    } finally {
      await rig.stop();
      await probe?.stop();
      await adapter.dropAppUser(users.app.username, table).catch(() => {});
      await adapter.dropAppUser(users.admin.username, table).catch(() => {});
      await adapter.cleanup?.().catch(() => {});
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  // Local figures only; the SDK's notice about future Node.js versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const repoRoot = findRepoRoot(__dirname);
  const work = mkdtempSync(join(tmpdir(), 'rotor-bench-'));
  const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
  try {
    say(`baseline: ${RUNS} runs of node -e 0…`);
    const baseline = measureBaseline(RUNS);
    const engines: EngineBench[] = [];
    const skipped: SkippedEngine[] = [];
    for (const engine of benchedEngines()) {
      const result = await benchEngine(engine, work, repoRoot, baseline, say);
      if ('reason' in result) skipped.push(result);
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
      ...skipped.map((s) => formatSkipped(s, baseline)),
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
