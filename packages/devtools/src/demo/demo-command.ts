import { parseArgs } from 'node:util';
import { findRepoRoot } from '@rotor/cli';
import { Demo } from './run-demo';
import { terminalStyle, wantsColor } from './terminal-style';

export interface DemoIo {
  out(text: string): void;
  err(text: string): void;
  readonly cwd: string;
}

export const DEMO_HELP = `Usage: pnpm demo [--json]

Builds the Lambda zips (dist/rotor-<engine>.zip), starts an embedded PostgreSQL (password
authentication) and the local Secrets Manager, stores an application user's and its admin's
secrets in AWS's format, and rotates them with the PostgreSQL zip's handlers: once single-user,
twice alternating users, then alternating once more with the admin as a superuser secret RDS
manages ({username, password} tagged aws:rds:primaryDBInstanceArn, the host found through the
local RDS API). After each rotation it shows the version stages, the current user, that
the new credentials log in and read the application's table, that replaced passwords are refused,
and how long each step took. Needs no Docker, no database install and no AWS account; run it in a
checkout of the Rotor repository.

Exits 0 only if every check held. Ctrl-C stops the servers.

Options:
  --json      Print a machine-readable summary instead (no passwords, as in the text output)
  -h, --help  Show this help`;

/** The demo as a command: 0 when every check held, 1 when one failed, 2 on a usage error. */
export async function runDemoCommand(args: readonly string[], io: DemoIo): Promise<number> {
  let values: { help?: boolean; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    io.err(`demo: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${DEMO_HELP}\n`);
    return 0;
  }
  // The SDK's notice about its future Node.js support concerns neither a local demo nor the
  // zips (which bundle their own pinned SDK); it would only interrupt the output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const demo = new Demo({
    repoRoot: findRepoRoot(io.cwd),
    // io.out is the process's stdout when run from the command line; colours only on a terminal.
    style: terminalStyle(!values.json && wantsColor(process.stdout)),
    ...(values.json ? {} : { out: io.out }),
  });
  let interrupted = false;
  const onSignal = () => {
    // A second Ctrl-C means: do not wait for a clean stop.
    if (interrupted) process.exit(130);
    interrupted = true;
    io.err('\ndemo: interrupted; stopping the servers…\n');
    void demo.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await demo.run();
    if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  } catch (error) {
    // Driver errors can carry their connection settings; name and first line only.
    const e = error instanceof Error ? error : new Error(String(error));
    io.err(`demo failed: ${e.name}: ${e.message.split('\n')[0]}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
