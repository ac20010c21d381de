import { round, type Summary, summarize } from './stats';
import type { WireEvent } from './wire-meter';

/** One invocation of the handler as the emulator made it: its step, rotation and CPU used. */
export interface StepWindow {
  readonly rotation: number;
  readonly step: string;
  readonly start: number;
  readonly end: number;
  /** Process CPU (user + system) during the step, in ms. */
  readonly cpuMs: number;
}

/** Per step, over the measured rotations: counts and the time in each kind of wait. */
export interface StepBreakdown {
  readonly step: string;
  readonly rotations: number;
  /** The step as the emulator saw it, invocation to answer. */
  readonly stepMs: Summary;
  readonly secretsManagerCalls: Summary;
  /** Operations of one rotation's step, e.g. `GetSecretValue x2`. */
  readonly operations: readonly string[];
  readonly secretsManagerMs: Summary;
  readonly logins: Summary;
  /** Failed logins over all measured rotations (not a median: any one is a finding). */
  readonly failedLogins: number;
  readonly loginMs: Summary;
  readonly roundTrips: Summary;
  readonly roundTripMs: Summary;
  readonly cpuMs: Summary;
  /** The step's time outside Secrets Manager calls, logins and round trips. */
  readonly otherMs: Summary;
  /** The largest of the four time buckets, by median. */
  readonly largestCost: string;
}

const duration = (e: WireEvent) => e.end - e.start;
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Attributes the metered events to the steps they started in and summarises each step over the
 * rotations. Pure: the bench feeds it what the meters and the invocation hook recorded.
 */
export function breakDownSteps(
  windows: readonly StepWindow[],
  events: readonly WireEvent[],
  steps: readonly string[],
): StepBreakdown[] {
  return steps.map((step) => {
    const mine = windows.filter((w) => w.step === step);
    const per = mine.map((w) => {
      const inside = events.filter((e) => e.start >= w.start && e.start <= w.end);
      const calls = inside.filter((e) => e.kind === 'call');
      const logins = inside.filter((e) => e.kind === 'login');
      const trips = inside.filter((e) => e.kind === 'round-trip');
      const smMs = sum(calls.map(duration));
      const loginMs = sum(logins.map(duration));
      const tripMs = sum(trips.map(duration));
      const stepMs = w.end - w.start;
      return {
        stepMs,
        calls: calls.length,
        operations: calls.map((c) => (c.kind === 'call' ? c.operation : '?')),
        smMs,
        logins: logins.length,
        failed: logins.filter((l) => l.kind === 'login' && l.failed).length,
        loginMs,
        trips: trips.length,
        tripMs,
        cpuMs: w.cpuMs,
        otherMs: Math.max(0, stepMs - smMs - loginMs - tripMs),
      };
    });
    const pick = (f: (p: (typeof per)[number]) => number) => summarize(per.map(f));
    const smMs = pick((p) => p.smMs);
    const loginMs = pick((p) => p.loginMs);
    const roundTripMs = pick((p) => p.tripMs);
    const otherMs = pick((p) => p.otherMs);
    const buckets: Array<[string, Summary]> = [
      ['Secrets Manager calls', smMs],
      ['database logins', loginMs],
      ['database round trips', roundTripMs],
      ['handler and emulator outside I/O', otherMs],
    ];
    const largest = buckets.reduce((a, b) => (b[1].median > a[1].median ? b : a));
    return {
      step,
      rotations: per.length,
      stepMs: pick((p) => p.stepMs),
      secretsManagerCalls: pick((p) => p.calls),
      operations: countOperations(per[0]?.operations ?? []),
      secretsManagerMs: smMs,
      logins: pick((p) => p.logins),
      failedLogins: sum(per.map((p) => p.failed)),
      loginMs,
      roundTrips: pick((p) => p.trips),
      roundTripMs,
      cpuMs: pick((p) => p.cpuMs),
      otherMs,
      largestCost: `${largest[0]} (${round(largest[1].median)} ms)`,
    };
  });
}

/** `['Get', 'Get', 'Put']` → `['Get x2', 'Put']`, first appearance order. */
export function countOperations(operations: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const op of operations) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, n]) => (n === 1 ? op : `${op} x${n}`));
}

const ms = (s: Summary) => (Number.isNaN(s.median) ? '-' : s.median.toFixed(1));
/** A count's median, with its range when the runs differ. */
const count = (s: Summary) =>
  Number.isNaN(s.median) ? '-' : s.min === s.max ? String(s.min) : `${s.median} (${s.min}-${s.max})`;

/** The breakdown table for one engine and strategy, medians over the measured rotations. */
export function formatBreakdown(title: string, rows: readonly StepBreakdown[]): string {
  const header = [
    'step (medians)',
    'ms',
    'SM calls',
    'SM ms',
    'logins',
    'failed',
    'login ms',
    'round trips',
    'trip ms',
    'other ms',
    'CPU ms',
  ];
  const cells = [
    header,
    ...rows.map((r) => [
      r.step,
      ms(r.stepMs),
      count(r.secretsManagerCalls),
      ms(r.secretsManagerMs),
      count(r.logins),
      String(r.failedLogins),
      ms(r.loginMs),
      count(r.roundTrips),
      ms(r.roundTripMs),
      ms(r.otherMs),
      ms(r.cpuMs),
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const lines = cells.map(
    (row) =>
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`,
  );
  const notes = rows.map(
    (r) => `    ${r.step}: ${r.operations.join(', ') || 'no calls'}; largest: ${r.largestCost}`,
  );
  return [`  ${title}`, ...lines, ...notes].join('\n');
}
