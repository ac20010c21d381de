import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { type Summary, summarize } from './stats';

// The child reports how long `require` of the handler took, and when (since its process started)
// the handler was ready; the parent times the whole process from spawn to exit.
// CPU time of the require is reported too: unlike wall time, it hardly moves when other processes
// share the machine's cores.
const PROBE = `
const cpu = process.cpuUsage();
const started = performance.now();
const mod = require(process.argv[1]);
const loaded = performance.now();
const used = process.cpuUsage(cpu);
if (typeof mod.handler !== 'function') process.exit(3);
process.stdout.write(JSON.stringify({ requireMs: loaded - started, readyMs: loaded, requireCpuMs: (used.user + used.system) / 1000 }));`;

export interface ColdStart {
  /** `node -e 0` (or the handler's process) from spawn to exit. */
  readonly processMs: Summary;
  /** Inside the process: the `require` of the handler module alone. */
  readonly requireMs?: Summary;
  /** Inside the process: CPU time (user + system) of that require. */
  readonly requireCpuMs?: Summary;
  /** Median process time over the baseline's median. */
  readonly ratioToBaseline?: number;
}

function spawnTimed(args: readonly string[]): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  // A minimal environment and a directory with no node_modules above it, like a Lambda sandbox:
  // the handler must load from the unpacked zip alone.
  const run = spawnSync(process.execPath, args, {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0)
    throw new Error(`node ${args[0]} exited with ${run.status}: ${run.stderr.split('\n')[0]}`);
  return { ms, stdout: run.stdout };
}

/** `node -e 0`, `runs` times after `warmup` discarded runs. */
export function measureBaseline(runs: number, warmup = 2): ColdStart {
  for (let i = 0; i < warmup; i++) spawnTimed(['-e', '0']);
  const samples = Array.from({ length: runs }, () => spawnTimed(['-e', '0']).ms);
  return { processMs: summarize(samples) };
}

/** A fresh `node` that requires `handlerFile` (from an unpacked zip), `runs` times. */
export function measureHandlerColdStart(
  handlerFile: string,
  runs: number,
  baseline: ColdStart,
  warmup = 2,
): ColdStart {
  for (let i = 0; i < warmup; i++) spawnTimed(['-e', PROBE, handlerFile]);
  const process: number[] = [];
  const requires: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = spawnTimed(['-e', PROBE, handlerFile]);
    process.push(run.ms);
    const probe = JSON.parse(run.stdout) as { requireMs: number; requireCpuMs: number };
    requires.push(probe.requireMs);
    cpu.push(probe.requireCpuMs);
  }
  const processMs = summarize(process);
  return {
    processMs,
    requireMs: summarize(requires),
    requireCpuMs: summarize(cpu),
    ratioToBaseline: Math.round((processMs.median / baseline.processMs.median) * 100) / 100,
  };
}
