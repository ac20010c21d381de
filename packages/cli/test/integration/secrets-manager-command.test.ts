import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageDirectory } from '../../src/packaging/engine-packages';
import { cliBuilt, rotorProcess } from '../support/command-fixture';

// The delegated command runs from the emulator's compiled output (its bin requires dist/), and
// shares its streams with rotor's: so rotor runs as a process here, its output captured.
const built =
  cliBuilt('commands/secrets-manager-command.js') &&
  existsSync(
    join(packageDirectory('@rotor/secrets-manager-local'), 'dist', 'bin', 'rotor-secrets-manager.js'),
  );
if (!built)
  process.stdout.write('SKIP rotor secrets-manager: packages/cli or secrets-manager-local is not built\n');

describe('rotor secrets-manager', () => {
  const run = built ? it : it.skip;

  run("passes arguments through and returns the emulator command's exit code and output", async () => {
    const help = await rotorProcess(['secrets-manager', '--help']);
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toMatch(/^Usage: rotor-secrets-manager /);
    const bad = await rotorProcess(['secrets-manager', '--no-such-option']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^rotor-secrets-manager: Unknown argument "--no-such-option"/);
  });
});
