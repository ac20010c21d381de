import { relative } from 'node:path';
import type { StrategyName } from '@rotor/rotation-core';
import type { DatabaseServer } from '@rotor/testkit';
import { ENGINES } from '../engines/engines';
import { CliError } from '../errors';
import { type BuiltZip, buildEngineZip } from '../packaging/build-engine-zip';
import type { Credentials, DemoUsers } from './demo-database';
import {
  type Check,
  countChecks,
  type DemoReport,
  formatMs,
  formatRotation,
  type RotationReport,
} from './demo-report';
import { PostgresDemoDatabase } from './postgres-demo-database';
import type { TerminalStyle } from './terminal-style';
import { type RotationOutcome, ZipRotationRig } from './zip-rotation-rig';

export interface DemoOptions {
  readonly repoRoot: string;
  readonly style: TerminalStyle;
  /** Where progress and results go as they happen; absent for --json. */
  readonly out?: (text: string) => void;
  /** Starts the database; the embedded PostgreSQL by default (tests may pass their own). */
  readonly startDatabase?: () => Promise<DatabaseServer>;
}

// Fixed names: the embedded server is new for every run and thrown away after it.
const NAMES = { admin: 'rotor_admin', app: 'app_user', database: 'rotor_demo', table: 'orders' };
const SECRET_NAMES = { admin: 'rotor-demo/admin', app: 'rotor-demo/app' };

const ROTATIONS: readonly { title: string; strategy: StrategyName }[] = [
  { title: 'single user', strategy: 'single-user' },
  { title: 'alternating users', strategy: 'alternating-users' },
  { title: 'alternating users, again', strategy: 'alternating-users' },
];

/**
 * `rotor demo`: builds the zips, starts an embedded PostgreSQL and the local Secrets Manager, and
 * rotates an application user's secret with the PostgreSQL zip's handlers, once single-user and
 * twice alternating, proving after each rotation who can log in. `stop()` may be called at any
 * time (Ctrl-C) and is called by `run()` when it ends.
 */
export class Demo {
  private server: DatabaseServer | undefined;
  private rig: ZipRotationRig | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: DemoOptions) {}

  async run(): Promise<DemoReport> {
    try {
      return await this.rotateAll();
    } finally {
      await this.stop();
    }
  }

  /** Stops the Secrets Manager (and its workers, removing the unpacked zip) and the database. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const rig = this.rig;
      const server = this.server;
      this.rig = undefined;
      this.server = undefined;
      await Promise.allSettled([rig?.stop(), server?.stop()]);
    })();
    return this.stopping;
  }

  private async rotateAll(): Promise<DemoReport> {
    const { style: s } = this.options;
    this.print(
      `${s.bold('Rotor demo')}: rotating database credentials with the built Lambda zip, on this machine\n` +
        `${s.dim('no Docker, no database install, no AWS account')}\n\n`,
    );

    const zips = await this.step(
      'Building the Lambda zips',
      async () => {
        const built: BuiltZip[] = [];
        for (const module of ENGINES) {
          built.push(
            await buildEngineZip({
              module,
              repoRoot: this.options.repoRoot,
              outDir: `${this.options.repoRoot}/dist`,
            }),
          );
        }
        return built;
      },
      (built) => built.map((z) => `${this.relative(z.file)} ${formatKiB(z.bytes)}`).join(', '),
    );
    const zip = zips.find((z) => z.engine === 'postgres');
    if (zip === undefined) throw new Error('no PostgreSQL zip was built');

    this.server = await this.step(
      'Starting embedded PostgreSQL (password authentication)',
      () => (this.options.startDatabase ?? startEmbeddedPostgres)(),
      (server) => new PostgresDemoDatabase(server).description,
    );
    const database = new PostgresDemoDatabase(this.server);

    const users = await this.step(
      `Creating ${NAMES.app} (may read table ${NAMES.table}) and ${NAMES.admin} (CREATEROLE, not a superuser)`,
      () => database.setUp(NAMES),
      () => 'done',
    );

    this.rig = await this.step(
      `Starting the local Secrets Manager with ${this.relative(zip.file)} as two rotation functions`,
      () => ZipRotationRig.start(zip.file),
      (rig) => rig.emulator.endpoint,
    );
    const rig = this.rig;

    const masterArn = await rig.createSecret(SECRET_NAMES.admin, database.secretFor(users, users.admin));
    const appValue = database.secretFor(users, users.app, masterArn);
    const appArn = await rig.createSecret(SECRET_NAMES.app, appValue);
    this.print(
      `${s.mark(true)} Stored the secrets in AWS's format: ${SECRET_NAMES.admin}, and ${SECRET_NAMES.app}:\n` +
        `  ${s.dim(JSON.stringify({ ...appValue, password: '(hidden)' }))}\n\n`,
    );

    const passwords = new Set([users.admin.password, users.app.password]);
    const rotations: RotationReport[] = [];
    // Credentials as each rotation found them; the oldest is the password that must die.
    const history: Credentials[] = [users.app];
    for (const [index, plan] of ROTATIONS.entries()) {
      const before = history[history.length - 1] as Credentials;
      const started = Date.now();
      const outcome = await rig.rotate(appArn, plan.strategy);
      const wallMs = Date.now() - started;
      const value = await rig.currentValue(appArn);
      const after = { username: String(value.username), password: String(value.password) };
      passwords.add(after.password);
      history.push(after);

      const checks = [stagesCheck(outcome)];
      if (outcome.ok) checks.push(...(await this.loginChecks(database, users, plan.strategy, history)));
      const report: RotationReport = {
        title: plan.title,
        strategy: plan.strategy,
        handler: `${plan.strategy}.handler`,
        secretName: SECRET_NAMES.app,
        versionId: outcome.versionId,
        before: outcome.before,
        after: outcome.after,
        userBefore: before.username,
        userAfter: after.username,
        steps: outcome.steps.map((t) => ({
          step: t.step,
          durationMs: t.durationMs,
          secretsManagerCalls: t.secretsManagerCalls,
          ok: t.ok,
        })),
        wallMs,
        coldStart: ROTATIONS.findIndex((r) => r.strategy === plan.strategy) === index,
        checks,
        ...(outcome.failure === undefined
          ? {}
          : {
              failure: `${outcome.failure.step}: ${outcome.failure.errorName}: ${outcome.failure.errorMessage}`,
            }),
      };
      rotations.push(report);
      this.print(`${formatRotation(index + 1, report, s)}\n`);
      // A failed rotation leaves AWSPENDING behind; the next one would only report that.
      if (!outcome.ok) break;
    }

    const lines = rig.output.records().length;
    const leaked = [...passwords].filter((p) => rig.output.text.includes(p)).length;
    const checks: Check[] = [
      {
        label: `no password in the handlers' ${lines} log lines`,
        held: leaked === 0 && lines > 0,
        ...(leaked > 0 ? { detail: `${leaked} found` } : {}),
      },
    ];
    for (const c of checks) this.print(`${s.mark(c.held)} ${c.label}${c.detail ? ` (${c.detail})` : ''}\n`);

    const report: DemoReport = {
      ok:
        rotations.length === ROTATIONS.length &&
        [...rotations.flatMap((r) => r.checks), ...checks].every((c) => c.held),
      zips: zips.map((z) => ({ engine: z.engine, file: z.file, bytes: z.bytes })),
      database: database.description,
      secretsManager: rig.emulator.endpoint,
      rotations,
      checks,
    };
    const { held, total } = countChecks(report);
    this.print(
      report.ok
        ? `\n${s.ok(`All ${total} checks held.`)} Stopping PostgreSQL and the local Secrets Manager.\n`
        : `\n${s.bad(`${total - held} of ${total} checks failed${rotations.length < ROTATIONS.length ? ', rotations stopped early' : ''}.`)} Stopping PostgreSQL and the local Secrets Manager.\n`,
    );
    return report;
  }

  /** Who can log in after a rotation, with which password; never prints one. */
  private async loginChecks(
    database: PostgresDemoDatabase,
    users: DemoUsers,
    strategy: StrategyName,
    history: readonly Credentials[],
  ): Promise<Check[]> {
    const now = history[history.length - 1] as Credentials;
    const previous = history[history.length - 2] as Credentials;
    const checks: Check[] = [
      await this.canLogin(
        database,
        users,
        now,
        `${now.username} logs in with the new password and reads ${users.table}`,
      ),
    ];
    if (strategy === 'single-user') {
      checks.push(
        await this.cannotLogin(
          database,
          users,
          previous,
          `the old password of ${previous.username} is refused`,
        ),
      );
      return checks;
    }
    checks.push(
      await this.canLogin(
        database,
        users,
        previous,
        `${previous.username} (AWSPREVIOUS) still logs in, so running clients keep working`,
      ),
    );
    // The same user's password from two rotations ago: replaced by this rotation.
    const replaced = [...history.slice(0, -2)].reverse().find((c) => c.username === now.username);
    if (replaced !== undefined && replaced.password !== now.password)
      checks.push(
        await this.cannotLogin(
          database,
          users,
          replaced,
          `${now.username}'s password from before this rotation is refused`,
        ),
      );
    return checks;
  }

  private async canLogin(
    database: PostgresDemoDatabase,
    users: DemoUsers,
    user: Credentials,
    label: string,
  ): Promise<Check> {
    try {
      const result = await database.login(users, user);
      return result.loggedIn
        ? { label, held: true, detail: `${result.rows} rows` }
        : { label, held: false, detail: `refused: ${result.refusal}` };
    } catch (error) {
      return { label, held: false, detail: errorSummary(error) };
    }
  }

  private async cannotLogin(
    database: PostgresDemoDatabase,
    users: DemoUsers,
    user: Credentials,
    label: string,
  ): Promise<Check> {
    try {
      const result = await database.login(users, user);
      return result.loggedIn
        ? { label, held: false, detail: 'it still logs in' }
        : { label, held: true, detail: result.refusal };
    } catch (error) {
      return { label, held: false, detail: errorSummary(error) };
    }
  }

  /** Runs one preparation step with a progress line: `• title… ✓ result (1.2 s)`. */
  private async step<T>(title: string, run: () => Promise<T>, describe: (value: T) => string): Promise<T> {
    const { style: s } = this.options;
    this.print(`${s.dim('•')} ${title}… `);
    const started = Date.now();
    try {
      const value = await run();
      this.print(`${s.mark(true)} ${describe(value)} ${s.dim(`(${formatMs(Date.now() - started)})`)}\n`);
      return value;
    } catch (error) {
      this.print(`${s.mark(false)}\n`);
      throw error;
    }
  }

  private print(text: string): void {
    this.options.out?.(text);
  }

  private relative(file: string): string {
    return relative(this.options.repoRoot, file);
  }
}

/**
 * The testkit's embedded PostgreSQL, loaded only when the demo runs: the testkit is a private
 * workspace package (a dev dependency), present in a checkout of the repository, which is where
 * the demo runs (it builds the zips from the sources).
 */
function startEmbeddedPostgres(): Promise<DatabaseServer> {
  let testkit: typeof import('@rotor/testkit');
  try {
    testkit = require('@rotor/testkit') as typeof import('@rotor/testkit');
  } catch (error) {
    throw new CliError(
      'demo: @rotor/testkit is not installed; run the demo in a checkout of the Rotor repository after pnpm install',
      {
        cause: error,
      },
    );
  }
  return testkit.startEmbeddedPostgres();
}

function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function stagesCheck(outcome: RotationOutcome): Check {
  const label = 'rotation finished: new version AWSCURRENT, old one AWSPREVIOUS, nothing left AWSPENDING';
  const oldCurrent = outcome.before.find((v) => v.stages.includes('AWSCURRENT'))?.versionId;
  const stagesOf = (id: string | undefined) => outcome.after.find((v) => v.versionId === id)?.stages ?? [];
  const held =
    outcome.ok &&
    stagesOf(outcome.versionId).join() === 'AWSCURRENT' &&
    stagesOf(oldCurrent).join() === 'AWSPREVIOUS' &&
    !outcome.after.some((v) => v.stages.includes('AWSPENDING'));
  return { label, held };
}

// Driver errors as name, code and first line: their config objects can hold a password.
function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return 'unexpected error';
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message.split('\n')[0]}`;
}
