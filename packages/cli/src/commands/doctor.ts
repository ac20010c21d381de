import type { EngineModule } from '@rotor/rotation-core';
import { STRATEGY_NAMES, type StrategyName } from '@rotor/rotation-core';
import type { DoctorCheck, DoctorReport } from '../doctor/doctor-check';
import { runDoctor } from '../doctor/run-doctor';
import { engineFor, engineValues } from '../engines/engine-registry';
import { ENGINES } from '../engines/engines';
import { secretsManagerClient } from '../engines/secrets-manager-client';
import { UsageError } from '../errors';
import type { Command } from './command';
import { parseOptions } from './parse-options';

const DEFAULT_TIMEOUT_MS = 3000;
const STATUS_LABEL: Record<DoctorCheck['status'], string> = {
  passed: 'PASS',
  failed: 'FAIL',
  skipped: 'SKIP',
};

/** `rotor doctor`; the registry is a parameter so tests can drive an engine variant. */
export function createDoctorCommand(registry: readonly EngineModule[] = ENGINES): Command {
  return {
    name: 'doctor',
    summary: 'Check a secret, its database and the network path before enabling rotation',
    help: `Usage: rotor doctor --secret-id ID [--strategy STRATEGY] [--engine ENGINE] [--endpoint URL]
                    [--region REGION] [--timeout-ms N] [--json]

Preflight of a secret before rotation is turned on. Each check is reported as passed, failed
(with the fix) or skipped (with why):
  secret                the secret JSON is valid for its engine and strategy
  rotation-state        no earlier rotation stopped part-way (AWSPENDING left without
                        AWSCURRENT); if one did, the rotor recover command to run
  dns, port             the host resolves and the port answers (from this machine)
  tls                   verified TLS handshake and certificate (skipped for "ssl": false)
  login                 the current credentials log in
  superuser-secret      alternating users: masterarn names a secret for the same host
  superuser-login       ... which logs in
  superuser-privileges  ... and may create users and grant what the original user holds
  password-policy       PASSWORD_LENGTH, EXCLUDE_* etc. (read from this environment, as the
                        function reads its own) suit the engine; the alternate username fits
Run it where the function runs (same VPC) for the network checks to mean the same.

Options:
  --secret-id ID       Name or ARN of the secret
  --strategy STRATEGY  single-user or alternating-users (default: from "masterarn" in the secret)
  --engine ENGINE      Engine value when the secret has no "engine" key: ${engineValues(registry).join(', ')}
  --endpoint URL       Secrets Manager endpoint (default: SECRETS_MANAGER_ENDPOINT, else AWS)
  --region REGION      Region (default: AWS_REGION, else the region in the secret's ARN)
  --timeout-ms N       Timeout of the DNS and TCP checks (default ${DEFAULT_TIMEOUT_MS})
  --json               Print {"secretId", "checks": [{"name", "status", "detail", "fix"?}]}
  -h, --help           Show this help

Exit status: 0 no check failed, 1 a check failed, 2 wrong arguments.`,

    async run(args, io) {
      const { values } = parseOptions('doctor', args, {
        'secret-id': { type: 'string' },
        strategy: { type: 'string' },
        engine: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        'timeout-ms': { type: 'string' },
      });
      if (values.help) {
        io.out(`${this.help}\n`);
        return 0;
      }
      const secretId = values['secret-id'];
      if (!secretId) throw new UsageError('doctor: --secret-id is required');
      if (values.strategy !== undefined && !STRATEGY_NAMES.includes(values.strategy as StrategyName)) {
        throw new UsageError(
          `doctor: unknown strategy ${JSON.stringify(values.strategy)}; known: ${STRATEGY_NAMES.join(', ')}`,
        );
      }
      if (values.engine !== undefined && !engineFor(values.engine, registry)) {
        throw new UsageError(
          `doctor: unknown engine ${JSON.stringify(values.engine)}; known: ${engineValues(registry).join(', ')}`,
        );
      }
      if (values.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(values.endpoint)) {
        throw new UsageError(
          `doctor: --endpoint must be an http(s) URL, not ${JSON.stringify(values.endpoint)}`,
        );
      }
      const timeoutRaw = values['timeout-ms'];
      const timeoutMs = timeoutRaw === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutRaw);
      if (!/^\d+$/.test(timeoutRaw ?? '0') || timeoutMs < 1 || timeoutMs > 600_000) {
        throw new UsageError(`doctor: --timeout-ms must be a whole number of milliseconds (1-600000)`);
      }

      const client = secretsManagerClient({
        secretId,
        ...(values.endpoint ? { endpoint: values.endpoint } : {}),
        ...(values.region ? { region: values.region } : {}),
        env: process.env,
      });
      let report: DoctorReport;
      try {
        report = await runDoctor({
          secretId,
          client,
          env: process.env,
          ...(values.strategy ? { strategy: values.strategy as StrategyName } : {}),
          ...(values.engine ? { engineValue: values.engine } : {}),
          timeoutMs,
          registry,
          recoverOptions: {
            ...(values.engine ? { engine: values.engine } : {}),
            ...(values.endpoint ? { endpoint: values.endpoint } : {}),
            ...(values.region ? { region: values.region } : {}),
          },
        });
      } finally {
        client.destroy();
      }
      io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      return report.checks.some((c) => c.status === 'failed') ? 1 : 0;
    },
  };
}

export const doctorCommand = createDoctorCommand();

function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = [`rotor doctor: ${report.secretId}`];
  for (const c of report.checks) {
    lines.push(`  ${STATUS_LABEL[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`);
    if (c.fix) lines.push(`        ${' '.repeat(width)}  fix: ${c.fix}`);
  }
  const count = (s: DoctorCheck['status']) => report.checks.filter((c) => c.status === s).length;
  lines.push(`${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  return `${lines.join('\n')}\n`;
}
