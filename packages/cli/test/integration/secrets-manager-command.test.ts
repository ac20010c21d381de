import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageDirectory } from '../../src/packaging/engine-packages';
import { runCli } from '../../src/run-cli';

// The delegated command runs from the emulator's compiled output (its bin requires dist/).
const built = existsSync(
  join(packageDirectory('@rotor/secrets-manager-local'), 'dist', 'bin', 'rotor-secrets-manager.js'),
);
if (!built) console.warn('secrets-manager command: @rotor/secrets-manager-local is not built; skipped');

describe('rotor secrets-manager', () => {
  const run = built ? it : it.skip;
  const io = { out: () => undefined, err: () => undefined, cwd: process.cwd() };

  run("passes arguments through and returns the emulator command's exit code", async () => {
    // Child output goes to this process's stdout/stderr (inherited), so only exit codes are checked.
    expect(await runCli(['secrets-manager', '--help'], io)).toBe(0);
    expect(await runCli(['secrets-manager', '--no-such-option'], io)).toBe(2);
  });
});
