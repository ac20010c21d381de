import type { StrategyName } from '@rotor/rotation-core';
import type { TerminalStyle } from './terminal-style';
import type { VersionStages } from './zip-rotation-rig';

/** One thing the demo proves, held or not. Details name users, never passwords. */
export interface Check {
  readonly label: string;
  readonly held: boolean;
  readonly detail?: string;
}

export interface StepTiming {
  readonly step: string;
  readonly durationMs: number;
  readonly secretsManagerCalls: number;
  readonly ok: boolean;
}

export interface RotationReport {
  readonly title: string;
  readonly strategy: StrategyName;
  /** The handler string in the zip, e.g. `single-user.handler`. */
  readonly handler: string;
  readonly secretName: string;
  readonly versionId: string;
  readonly before: readonly VersionStages[];
  readonly after: readonly VersionStages[];
  readonly userBefore: string;
  readonly userAfter: string;
  readonly steps: readonly StepTiming[];
  /** RotateSecret as the caller saw it, from request to answer. */
  readonly wallMs: number;
  /** The handler's first invocation: its worker started and loaded the zip's module. */
  readonly coldStart: boolean;
  readonly checks: readonly Check[];
  /** The failed step's error (name: message, redacted by the handler), when a step failed. */
  readonly failure?: string;
}

export interface DemoReport {
  readonly ok: boolean;
  readonly zips: readonly { readonly engine: string; readonly file: string; readonly bytes: number }[];
  readonly database: string;
  readonly secretsManager: string;
  readonly rotations: readonly RotationReport[];
  /** Checks that span the whole run (e.g. no password in any log line). */
  readonly checks: readonly Check[];
}

/** The first 8 characters of a version id, as people compare them. */
export const shortId = (versionId: string) => versionId.slice(0, 8);

const STAGE_ORDER = ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'];
const rank = (v: VersionStages) => Math.min(...v.stages.map((s) => STAGE_ORDER.indexOf(s) >>> 0));

/** `c2a64190 AWSCURRENT   885c9cd9 AWSPREVIOUS`: current first. */
function stagesLine(versions: readonly VersionStages[]): string {
  return [...versions]
    .sort((a, b) => rank(a) - rank(b))
    .map((v) => `${shortId(v.versionId)} ${v.stages.join(',')}`)
    .join('   ');
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** A few aligned lines for one rotation. */
export function formatRotation(index: number, r: RotationReport, s: TerminalStyle): string {
  const row = (name: string, value: string) => `   ${s.dim(name.padEnd(14))} ${value}`;
  const userChange =
    r.userBefore === r.userAfter
      ? `${r.userAfter}  ${s.dim('(same user, new password)')}`
      : `${r.userAfter}  ${s.dim(`(was ${r.userBefore})`)}`;
  const steps = r.steps
    .map((t) => `${t.step} ${formatMs(t.durationMs)}${t.ok ? '' : ` ${s.bad('failed')}`}`)
    .join(s.dim(' · '));
  const total = r.steps.reduce((sum, t) => sum + t.durationMs, 0);
  const calls = r.steps.reduce((sum, t) => sum + t.secretsManagerCalls, 0);
  const lines = [
    s.bold(`${index}. ${r.title}`) + s.dim(`  ${r.secretName} with ${r.handler}`),
    row('stages before', stagesLine(r.before)),
    row('stages after', stagesLine(r.after)),
    row('current user', userChange),
    ...r.checks.map((c) => `   ${s.mark(c.held)} ${c.label}${c.detail ? s.dim(`  (${c.detail})`) : ''}`),
    ...(r.failure === undefined ? [] : [`   ${s.bad('error')}          ${r.failure}`]),
    row('steps', steps || s.dim('none reported')),
    row(
      'total',
      `${formatMs(total)} in the handler, ${formatMs(r.wallMs)} for RotateSecret${r.coldStart ? ' (with the cold start)' : ''}, ${calls} Secrets Manager calls`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export function countChecks(report: DemoReport): { held: number; total: number } {
  const all = [...report.rotations.flatMap((r) => r.checks), ...report.checks];
  return { held: all.filter((c) => c.held).length, total: all.length };
}
