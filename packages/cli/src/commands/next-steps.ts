import type { NextStep } from '../errors';
import { type RecoverCommandOptions, recoverCommandLine, shellQuote } from '../recover/recover-command-line';

/** The exact `rotor doctor` command for a secret, with the options the current command was given. */
export function doctorCommandLine(secretId: string, options: RecoverCommandOptions = {}): string {
  const words = ['rotor', 'doctor', '--secret-id', shellQuote(secretId)];
  if (options.engine) words.push('--engine', shellQuote(options.engine));
  if (options.endpoint) words.push('--endpoint', shellQuote(options.endpoint));
  if (options.region) words.push('--region', shellQuote(options.region));
  return words.join(' ');
}

/** `rotor recover` (a dry run) for a rotation left part-way. */
export function recoverStep(secretId: string, options: RecoverCommandOptions, why: string): NextStep {
  return { command: recoverCommandLine(secretId, options), why };
}

/** `rotor doctor`, which checks the secret, DNS, port, TLS and login, each with its fix. */
export function doctorStep(secretId: string, options: RecoverCommandOptions, why: string): NextStep {
  return { command: doctorCommandLine(secretId, options), why };
}

/** Text form: one line per step; the reason follows `#`, so the line pastes into a shell as is. */
export function formatNextSteps(steps: readonly NextStep[]): string {
  return steps.map((s, i) => `${i === 0 ? 'Next:' : 'Then:'} ${s.command}   # ${s.why}\n`).join('');
}
