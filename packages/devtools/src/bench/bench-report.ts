import { formatSize } from '@rotor/cli';
import type { ColdStart } from './cold-start';
import type { RotationBench } from './rotation-bench';
import { formatBreakdown } from './step-breakdown';

export interface EngineBench {
  readonly engine: string;
  readonly database: string;
  readonly zip: { readonly file: string; readonly bytes: number };
  readonly coldStart: Readonly<Record<string, ColdStart>>;
  readonly rotations: readonly RotationBench[];
}

/** An engine with no database server here: its zip and cold start only. */
export interface SkippedEngine {
  readonly engine: string;
  readonly reason: string;
  readonly zip?: { readonly file: string; readonly bytes: number };
  readonly coldStart?: Readonly<Record<string, ColdStart>>;
}

export interface BenchReport {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly runs: number;
  readonly baseline: ColdStart;
  readonly engines: readonly EngineBench[];
  /** Engines whose rotations were not measured, with the reason (their cold start was). */
  readonly skipped: readonly SkippedEngine[];
}

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(1);

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map(
      (r) =>
        `  ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`,
    )
    .join('\n');
}

function coldStartTable(coldStart: Readonly<Record<string, ColdStart>>, baseline: ColdStart): string {
  return table([
    ['cold start (fresh node process)', 'median ms', 'p90 ms', 'x node -e 0', 'require ms', 'require CPU ms'],
    ['node -e 0 (baseline)', ms(baseline.processMs.median), ms(baseline.processMs.p90), '1.00', '-', '-'],
    ...Object.entries(coldStart).map(([file, c]) => [
      `require ${file}`,
      ms(c.processMs.median),
      ms(c.processMs.p90),
      (c.ratioToBaseline ?? Number.NaN).toFixed(2),
      ms(c.requireMs?.median),
      ms(c.requireCpuMs?.median),
    ]),
  ]);
}

/** What `pnpm bench` prints for an engine it had no server for: zip size and cold start. */
export function formatSkipped(s: SkippedEngine, baseline: ColdStart): string {
  return [
    `${s.engine}  rotations skipped: ${s.reason}`,
    ...(s.zip === undefined
      ? []
      : [`  zip size  ${s.zip.bytes} bytes (${(s.zip.bytes / 1024).toFixed(1)} KiB)`]),
    ...(s.coldStart === undefined ? [] : [coldStartTable(s.coldStart, baseline)]),
    '',
  ].join('\n');
}

/** The tables `pnpm bench` prints for one engine. */
export function formatEngine(e: EngineBench, baseline: ColdStart): string {
  const cold = coldStartTable(e.coldStart, baseline);
  const steps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
  const rotation = table([
    ['rotation, median ms', ...steps, 'handler', 'RotateSecret', 'its p90', 'first', 'API calls'],
    ...e.rotations.map((r) => [
      `${r.strategy} (${r.rotations} runs)`,
      ...steps.map((s) => ms(r.steps[s]?.median)),
      ms(r.handlerTotalMs.median),
      ms(r.rotateSecretMs.median),
      ms(r.rotateSecretMs.p90),
      ms(r.firstRotationMs),
      r.secretsManagerCalls.min === r.secretsManagerCalls.max
        ? String(r.secretsManagerCalls.min)
        : `${r.secretsManagerCalls.min}-${r.secretsManagerCalls.max}`,
    ]),
  ]);
  const breakdowns = e.rotations.flatMap((r) =>
    r.breakdown === undefined
      ? []
      : ['', formatBreakdown(`${r.strategy}: where the milliseconds go (${r.rotations} runs)`, r.breakdown)],
  );
  const failures = e.rotations.filter((r) => r.failure).map((r) => `  ${r.strategy} stopped: ${r.failure}`);
  return [
    `${e.engine}  ${e.database}`,
    `  zip size  ${e.zip.bytes} bytes (${formatSize(e.zip.bytes)})`,
    cold,
    '',
    rotation,
    ...breakdowns,
    ...failures,
    '',
  ].join('\n');
}

export const BENCH_NOTES = [
  'cold start: spawn to exit of a fresh node that requires the handler from the unpacked zip (no node_modules above it);',
  '  "require ms" is the require alone, measured inside that process, "require CPU ms" the CPU it used (steadier',
  '  than wall time when other processes share the cores).',
  'rotation: RotateSecret through the emulator, which invokes the zip handler (worker thread, kept warm) for each step;',
  '  step times are the handler\'s own (its "step finished" log lines); "first" is the discarded warm-up rotation.',
  'breakdown: pass-mode TCP proxies in front of the database and the emulator see what the real clients do; a login is',
  '  a connection up to ReadyForQuery/OK (failed: an error or a close before it), a round trip one request and its answer;',
  '  "ms" is the step from invocation to answer as the emulator saw it, "other" what is left outside the three waits',
  '  (handler code, worker messaging, emulator bookkeeping); CPU is the whole bench process (handler worker, emulator,',
  "  proxies), an upper bound on the handler's own.",
].join('\n');
