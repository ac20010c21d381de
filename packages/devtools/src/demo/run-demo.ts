import { relative } from 'node:path';
import { type BuiltZip, buildEngineZip, formatSize } from '@rotor/cli';
import type { EngineModule, StrategyName } from '@rotor/rotation-core';
import {
  adapterSecret,
  type DatabaseServer,
  type EngineTestAdapter,
  startEmbeddedPostgres,
} from '@rotor/testkit';
import { DEV_ENGINES, describeServer, hasEmbeddedServer, testAdapterFactory } from '../dev-engines';
import {
  type Check,
  countChecks,
  type DemoReport,
  formatMs,
  formatRotation,
  type RotationReport,
} from './demo-report';
import { MANAGED, resolvedThroughRds, useManagedSuperuser } from './managed-superuser';
import { newPassword } from './new-password';
import type { TerminalStyle } from './terminal-style';
import { type RotationOutcome, ZipRotationRig } from './zip-rotation-rig';

export interface DemoOptions {
  readonly repoRoot: string;
  readonly style: TerminalStyle;
  /** Where progress and results go as they happen; absent for --json. */
  readonly out?: (text: string) => void;
  /** Starts the database; the embedded PostgreSQL by default (tests may pass their own). */
  readonly startDatabase?: () => Promise<DatabaseServer>;
  /** The engines to choose from: the demo runs the one with an embedded server. */
  readonly engines?: readonly EngineModule[];
}

/** A database user and password. The password is handed to drivers and secrets only, never printed. */
interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The demo's users: an application user with a table, and the admin alternating users works as. */
interface DemoUsers {
  readonly admin: Credentials;
  readonly app: Credentials;
  readonly table: string;
}

/** What the demo needs from the engine's test adapter beyond the conformance suite. */
type DemoAdapter = EngineTestAdapter &
  Required<Pick<EngineTestAdapter, 'createAdminUser' | 'login'>> & { readonly description: string };

// Fixed names: the embedded server is new for every run and thrown away after it.
const NAMES = { admin: 'rotor_admin', app: 'app_user', database: 'rotor_demo', table: 'orders' };
const SECRET_NAMES = { admin: 'rotor-demo/admin', app: 'rotor-demo/app' };

const ROTATIONS: readonly { title: string; strategy: StrategyName; managedSuperuser?: true }[] = [
  { title: 'single user', strategy: 'single-user' },
  { title: 'alternating users', strategy: 'alternating-users' },
  { title: 'alternating users, again', strategy: 'alternating-users' },
  // The admin as a superuser secret RDS manages: the handler finds the host through the RDS API.
  {
    title: 'alternating users, superuser secret managed by RDS',
    strategy: 'alternating-users',
    managedSuperuser: true,
  },
];

/**
 * `rotor demo`: builds the zips, starts an embedded PostgreSQL and the local Secrets Manager, and
 * rotates an application user's secret with the PostgreSQL zip's handlers, once single-user and
 * three times alternating (the last with a superuser secret RDS manages, resolved through the
 * emulator's RDS API), proving after each rotation who can log in. `stop()` may be called at any
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

    const engines = this.options.engines ?? DEV_ENGINES;
    const engine = engines.find(hasEmbeddedServer);
    if (engine === undefined) throw new Error('no engine has an embedded test server');
    const zips = await this.step(
      'Building the Lambda zips',
      async () => {
        const built: BuiltZip[] = [];
        for (const module of engines) {
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
      (built) => built.map((z) => `${this.relative(z.file)} ${formatSize(z.bytes)}`).join(', '),
    );
    const zip = zips.find((z) => z.engine === engine.name);
    if (zip === undefined) throw new Error(`no ${engine.name} zip was built`);

    let database: DemoAdapter | undefined;
    this.server = await this.step(
      'Starting embedded PostgreSQL (password authentication)',
      async () => {
        const server = await (this.options.startDatabase ?? startEmbeddedPostgres)();
        database = demoAdapter(
          await testAdapterFactory(engine)(server, { database: NAMES.database }),
          server,
        );
        return server;
      },
      () => (database as DemoAdapter).description,
    );
    if (database === undefined) throw new Error('the demo database did not start');
    const db = database;

    const users = await this.step(
      `Creating ${NAMES.app} (may read table ${NAMES.table}) and ${NAMES.admin} (CREATEROLE, not a superuser)`,
      async (): Promise<DemoUsers> => {
        const users = {
          admin: { username: NAMES.admin, password: newPassword() },
          app: { username: NAMES.app, password: newPassword() },
          table: NAMES.table,
        };
        await db.createAppUser(users.app.username, users.app.password, users.table);
        await db.createAdminUser(users.admin.username, users.admin.password, users.app.username);
        return users;
      },
      () => 'done',
    );

    this.rig = await this.step(
      `Starting the local Secrets Manager with ${this.relative(zip.file)} as two rotation functions`,
      () => ZipRotationRig.start(zip.file),
      (rig) => rig.emulator.endpoint,
    );
    const rig = this.rig;

    const masterArn = await rig.createSecret(SECRET_NAMES.admin, adapterSecret(db, users.admin));
    const appValue = adapterSecret(db, users.app, { masterarn: masterArn });
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
      if (plan.managedSuperuser) await this.switchToManagedSuperuser(rig, db, users.admin, appArn);
      const started = Date.now();
      const outcome = await rig.rotate(appArn, plan.strategy);
      const wallMs = Date.now() - started;
      const value = await rig.currentValue(appArn);
      const after = { username: String(value.username), password: String(value.password) };
      passwords.add(after.password);
      history.push(after);

      const checks = [stagesCheck(outcome)];
      if (plan.managedSuperuser) checks.push(resolvedThroughRds(rig.output, outcome.versionId));
      if (outcome.ok) checks.push(...(await this.loginChecks(db, users, plan.strategy, history)));
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
      database: db.description,
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

  /** Points the app secret at a `{username, password}` admin secret tagged as RDS tags it. */
  private async switchToManagedSuperuser(
    rig: ZipRotationRig,
    database: DemoAdapter,
    admin: Credentials,
    appArn: string,
  ): Promise<void> {
    const { style: s } = this.options;
    await useManagedSuperuser(rig, database, admin, appArn);
    this.print(
      `${s.mark(true)} The local RDS API reports this database as DB instance ${MANAGED.instance}; ` +
        `${MANAGED.secretName} holds only the admin's {username, password}, tagged ${MANAGED.tag}, ` +
        `and ${SECRET_NAMES.app}'s masterarn now names it\n\n`,
    );
  }

  /** Who can log in after a rotation, with which password; never prints one. */
  private async loginChecks(
    database: DemoAdapter,
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
    database: DemoAdapter,
    users: DemoUsers,
    user: Credentials,
    label: string,
  ): Promise<Check> {
    try {
      const result = await database.login(user.username, user.password, users.table);
      return result.loggedIn
        ? { label, held: true, detail: `${result.rows} rows` }
        : { label, held: false, detail: `refused: ${result.refusal}` };
    } catch (error) {
      return { label, held: false, detail: errorSummary(error) };
    }
  }

  private async cannotLogin(
    database: DemoAdapter,
    users: DemoUsers,
    user: Credentials,
    label: string,
  ): Promise<Check> {
    try {
      const result = await database.login(user.username, user.password, users.table);
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

/** The adapter, checked for what the demo uses beyond the conformance suite. */
function demoAdapter(adapter: EngineTestAdapter, server: DatabaseServer): DemoAdapter {
  const { createAdminUser, login } = adapter;
  if (createAdminUser === undefined || login === undefined)
    throw new Error(
      `the ${adapter.label} test adapter has no createAdminUser or login, which the demo needs`,
    );
  return Object.assign(adapter, {
    createAdminUser: createAdminUser.bind(adapter),
    login: login.bind(adapter),
    description: describeServer(adapter.product, server),
  });
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
