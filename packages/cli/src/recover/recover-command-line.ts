/** The options of the command that found the problem, carried into the suggested command. */
export interface RecoverCommandOptions {
  readonly endpoint?: string;
  readonly region?: string;
  readonly engine?: string;
}

/**
 * The exact `rotor recover` command for a secret, as the user would type it (shell-quoted), with
 * the endpoint, region and engine the current command was given: printed wherever a stuck
 * rotation blocks the user, so the way out is one copy and paste.
 */
export function recoverCommandLine(secretId: string, options: RecoverCommandOptions = {}): string {
  const words = ['rotor', 'recover', shellQuote(secretId)];
  if (options.engine) words.push('--engine', shellQuote(options.engine));
  if (options.endpoint) words.push('--endpoint', shellQuote(options.endpoint));
  if (options.region) words.push('--region', shellQuote(options.region));
  return words.join(' ');
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
