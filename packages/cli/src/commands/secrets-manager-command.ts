import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../errors';
import { packageDirectory } from '../packaging/engine-packages';
import type { Command } from './command';

/**
 * `rotor secrets-manager ...` runs @rotor/secrets-manager-local's own command with the same
 * arguments, as a child process that shares stdin/stdout/stderr: that command owns its options,
 * its help text, its signal handling and its long-running server.
 */
export const secretsManagerCommand: Command = {
  name: 'secrets-manager',
  summary: 'Run a local AWS Secrets Manager (the rotor-secrets-manager command); see its --help',
  help: 'Usage: rotor secrets-manager [OPTIONS]\n\nRuns rotor-secrets-manager from @rotor/secrets-manager-local; all options are its own.',

  async run(args) {
    const bin = secretsManagerBin();
    const child = spawn(process.execPath, [bin, ...args], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.on('error', (error) =>
          reject(new CliError(`secrets-manager: cannot start ${bin}`, { cause: error })),
        );
        child.on('exit', (code, signal) =>
          resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])),
        );
      });
    } finally {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    }
  },
};

function secretsManagerBin(): string {
  const dir = packageDirectory('@rotor/secrets-manager-local');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    bin?: Record<string, string>;
  };
  const relative = manifest.bin?.['rotor-secrets-manager'];
  if (relative === undefined)
    throw new CliError('secrets-manager: @rotor/secrets-manager-local has no rotor-secrets-manager command');
  return join(dir, relative);
}
