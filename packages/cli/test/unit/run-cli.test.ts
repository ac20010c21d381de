import type { Command } from '../../src/commands/command';
import { CliError } from '../../src/errors';
import { runCli } from '../../src/run-cli';

async function rotorWith(
  commands: readonly Command[] | undefined,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), cwd: process.cwd() };
  const code = await runCli(argv, io, commands);
  return { code, out, err };
}

const rotor = (...argv: string[]) => rotorWith(undefined, ...argv);

describe('rotor command line', () => {
  it('lists every command in --help', async () => {
    const { code, out } = await rotor('--help');
    expect(code).toBe(0);
    for (const name of ['rotate', 'doctor', 'package', 'secrets-manager'])
      expect(out).toContain(`  ${name} `);
  });

  it('prints usage and exits 2 without a command', async () => {
    const { code, err } = await rotor();
    expect(code).toBe(2);
    expect(err).toContain('Usage: rotor <command>');
  });

  it('exits 2 with one line, no stack, for an unknown command or option', async () => {
    const unknown = await rotor('rotat');
    expect(unknown.code).toBe(2);
    // One hint, not two.
    expect(unknown.err).toBe('rotor: unknown command "rotat"\nTry rotor --help.\n');
    const badOption = await rotor('package', '--outt', 'x');
    expect(badOption.code).toBe(2);
    expect(badOption.err).toMatch(/^rotor: package: Unknown option '--outt'/);
    expect(badOption.err).toContain('Try rotor package --help.');
    expect(badOption.err).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown engine as a usage error', async () => {
    const { code, err } = await rotor('package', '--engine', 'oracle');
    expect(code).toBe(2);
    expect(err).toContain('unknown engine oracle; known: postgres, mysql');
  });

  it('reports errors as JSON on stdout with --json, where the result would be, with the exit code', async () => {
    const { code, out, err } = await rotor('doctor', '--json');
    expect(code).toBe(2);
    expect(err).toBe('');
    expect(JSON.parse(out)).toEqual({
      error: { name: 'UsageError', message: 'doctor: --secret-id is required' },
    });
  });

  it('prints the next commands and the warnings a CliError carries, in text and JSON', async () => {
    const failing: Command = {
      name: 'fail',
      summary: 'fails',
      help: '',
      run: async () => {
        throw new CliError('fail: stuck', {
          next: [{ command: "rotor recover 'a b'", why: 'unblocks it' }],
          warnings: ['TLS fell back to plaintext'],
        });
      },
    };
    const text = await rotorWith([failing], 'fail');
    expect(text.code).toBe(1);
    expect(text.out).toBe('');
    expect(text.err).toBe(
      "rotor: warning: TLS fell back to plaintext\nrotor: fail: stuck\nNext: rotor recover 'a b'   # unblocks it\n",
    );
    const json = await rotorWith([failing], 'fail', '--json');
    expect(json.code).toBe(1);
    expect(json.err).toBe('');
    expect(JSON.parse(json.out)).toEqual({
      error: { name: 'CliError', message: 'fail: stuck' },
      next: [{ command: "rotor recover 'a b'", why: 'unblocks it' }],
      warnings: ['TLS fell back to plaintext'],
    });
  });

  it.each(['rotate', 'doctor', 'package'])('has --help for %s', async (name) => {
    const { code, out } = await rotor(name, '--help');
    expect(code).toBe(0);
    expect(out).toContain(`Usage: rotor ${name}`);
  });

  it('prints the version', async () => {
    const { code, out } = await rotor('--version');
    expect(code).toBe(0);
    expect(out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
