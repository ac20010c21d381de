import { runCli } from '../../src/run-cli';

async function rotor(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), cwd: process.cwd() });
  return { code, out, err };
}

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
    expect(unknown.err).toBe('rotor: unknown command "rotat"; see rotor --help\nTry rotor --help.\n');
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

  it('reports errors as JSON with --json', async () => {
    const { code, err } = await rotor('doctor', '--json');
    expect(code).toBe(2);
    expect(JSON.parse(err)).toEqual({
      error: { name: 'UsageError', message: 'doctor: --secret-id is required' },
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
