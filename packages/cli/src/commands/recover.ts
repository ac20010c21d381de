import type { EngineModule } from '@rotor/rotation-core';
import { engineFor, engineValues } from '../engines/engine-registry';
import { ENGINES } from '../engines/engines';
import { secretsManagerClient } from '../engines/secrets-manager-client';
import { type NextStep, UsageError } from '../errors';
import { type RecoverCommandOptions, recoverCommandLine, shellQuote } from '../recover/recover-command-line';
import { awsCliCommand, undecided, type VersionFinding } from '../recover/recovery-plan';
import {
  type LabelledFinding,
  type RecoverReport,
  runRecover,
  SecretChangedError,
} from '../recover/run-recover';
import type { Command } from './command';
import { doctorStep, formatNextSteps, recoverStep, sameOptions } from './next-steps';
import { parseOptions } from './parse-options';

const DECISION_TEXT = {
  'complete-rotation': 'finish the rotation: AWSCURRENT moves to the pending version',
  'remove-pending': 'remove the AWSPENDING label; AWSCURRENT stays',
  refuse: 'refused: nothing is changed',
} as const;

export function createRecoverCommand(engines: readonly EngineModule[] = ENGINES): Command {
  return {
    name: 'recover',
    summary: 'Unblock a secret whose rotation failed part-way (AWSPENDING left behind); dry run by default',
    help: `Usage: rotor recover SECRET [--apply] [--engine ENGINE] [--endpoint URL] [--region REGION] [--json]

A rotation that fails part-way leaves a version labelled AWSPENDING that is not AWSCURRENT, and
Secrets Manager refuses every later rotation until it is resolved. recover tries the AWSCURRENT and
AWSPENDING credentials against the database (the rotation's own login rules: the secret's "ssl",
ROTOR_CA_BUNDLE, ROTOR_TLS_FALLBACK, ROTOR_CONNECT_TIMEOUT_MS), then:
  AWSCURRENT logs in (also when both do)          remove the AWSPENDING label
  AWSPENDING logs in, the server refuses AWSCURRENT  move AWSCURRENT to the pending version
                                                  and remove AWSPENDING (finish the rotation)
  neither logs in                                 refuse (exit 1) and say what each gave
It never leaves the secret without an AWSCURRENT that logs in; a refusal is followed by the
commands to run next (rotor doctor when a version could not be checked). Without --apply it only
prints what it would do. Trying the credentials may add one failed login to the database's log.

Options:
  SECRET          Name or ARN of the secret (or --secret-id SECRET)
  --apply         Make the changes (default: dry run, nothing changes)
  --engine ENGINE Engine value when the secret has no "engine" key (overrides it): ${engineValues(engines).join(', ')}
  --endpoint URL  Secrets Manager endpoint (default: SECRETS_MANAGER_ENDPOINT, else AWS)
  --region REGION Region (default: AWS_REGION, else the region in the secret's ARN)
  --json          Print the result as one JSON object
  -h, --help      Show this help

Exit status: 0 nothing stuck, or the plan (dry run) or the change (--apply) succeeded; 1 refused
or failed; 2 wrong arguments.`,

    async run(args, io) {
      const { values, positionals } = parseOptions(
        'recover',
        args,
        {
          'secret-id': { type: 'string' },
          apply: { type: 'boolean' },
          engine: { type: 'string' },
          endpoint: { type: 'string' },
          region: { type: 'string' },
        },
        true,
      );
      if (values.help) {
        io.out(`${this.help}\n`);
        return 0;
      }
      const ids = [...positionals, ...(values['secret-id'] ? [values['secret-id']] : [])];
      if (ids.length !== 1) throw new UsageError('recover: name exactly one secret (rotor recover SECRET)');
      const secretId = ids[0] as string;
      if (values.engine !== undefined && !engineFor(values.engine, engines)) {
        throw new UsageError(
          `recover: unknown engine ${JSON.stringify(values.engine)}; known: ${engineValues(engines).join(', ')}`,
        );
      }
      if (values.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(values.endpoint)) {
        throw new UsageError(
          `recover: --endpoint must be an http(s) URL, not ${JSON.stringify(values.endpoint)}`,
        );
      }
      const client = secretsManagerClient({
        secretId,
        ...(values.endpoint ? { endpoint: values.endpoint } : {}),
        ...(values.region ? { region: values.region } : {}),
        env: process.env,
      });
      const same = sameOptions(values);
      let report: RecoverReport;
      try {
        report = await runRecover({
          secretId,
          client,
          env: process.env,
          apply: values.apply === true,
          ...(values.engine ? { engineValue: values.engine } : {}),
        });
      } catch (error) {
        if (!(error instanceof SecretChangedError)) throw error;
        const again = recoverStep(secretId, same, 'checks the versions again, as they are now');
        throw new SecretChangedError(error.message, { cause: error, next: [again] });
      } finally {
        client.destroy();
      }
      const next = report.plan?.decision === 'refuse' ? refusalSteps(report, secretId, same) : [];
      const apply = `${recoverCommandLine(secretId, same)} --apply`;
      io.out(
        values.json ? `${JSON.stringify(jsonReport(report, next), null, 2)}\n` : formatReport(report, apply),
      );
      if (report.plan?.decision === 'refuse') {
        if (!values.json) io.err(`rotor: recover: refused: ${report.plan.reason}\n${formatNextSteps(next)}`);
        return 1;
      }
      return 0;
    },
  };
}

/**
 * After a refusal: when a version could not be checked (not reached, TLS), doctor finds out why
 * and recover runs again; when the server refused both, the password must be set by hand first.
 */
function refusalSteps(report: RecoverReport, secretId: string, same: RecoverCommandOptions): NextStep[] {
  if (undecided(report.current?.finding, report.pending?.finding)) {
    return [
      doctorStep(secretId, same, 'checks DNS, the port, TLS and the login from here, each with its fix'),
      recoverStep(secretId, same, 'once the database answers, tries both versions again'),
    ];
  }
  return [
    recoverStep(
      secretId,
      same,
      'after setting the database password to the AWSCURRENT or AWSPENDING one, tries both versions again',
    ),
  ];
}

function formatReport(report: RecoverReport, applyCommand: string): string {
  const lines = [`rotor recover: ${report.arn}`];
  const { stuck, plan } = report;
  if (stuck === undefined || plan === undefined) {
    lines.push('No rotation is stuck: no version holds AWSPENDING without AWSCURRENT. Nothing to do.');
    return `${lines.join('\n')}\n`;
  }
  lines.push('A rotation stopped part-way:');
  if (report.current) lines.push(formatFinding('AWSCURRENT', report.current));
  else lines.push('  AWSCURRENT  (no version)');
  if (report.pending) lines.push(formatFinding('AWSPENDING', report.pending));
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  lines.push(`Decision: ${DECISION_TEXT[plan.decision]}.`, `  ${plan.reason}.`);
  if (plan.actions.length > 0) {
    lines.push(report.applied ? 'Done:' : 'Would run:');
    for (const action of plan.actions) lines.push(`  ${awsCliCommand(report.arn, action, shellQuote)}`);
  }
  if (plan.decision !== 'refuse') {
    if (report.applied) {
      lines.push('Stages now:');
      for (const [id, stages] of Object.entries(report.stagesAfter)) {
        if (stages.length > 0) lines.push(`  ${id}  ${stages.join(', ')}`);
      }
      lines.push('The next rotation can start.');
    } else {
      lines.push(`Dry run: nothing changed. To do it: ${applyCommand}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function formatFinding(label: string, { versionId, finding }: LabelledFinding): string {
  const user = 'username' in finding ? `user ${JSON.stringify(finding.username)}  ` : '';
  const what: Record<VersionFinding['status'], string> = {
    'logs-in': 'logs in',
    refused: 'refused by the server',
    unknown: 'could not tell',
    unusable: 'unusable',
  };
  const detail = 'detail' in finding ? `: ${finding.detail}` : '';
  return `  ${label}  ${versionId}  ${user}${what[finding.status]}${detail}`;
}

function jsonReport(report: RecoverReport, next: readonly NextStep[]) {
  const finding = (f: LabelledFinding | undefined) => (f ? { versionId: f.versionId, ...f.finding } : null);
  return {
    secretId: report.secretId,
    arn: report.arn,
    stuck: report.stuck !== undefined,
    current: finding(report.current),
    pending: finding(report.pending),
    decision: report.plan?.decision ?? 'nothing-to-do',
    ...(report.plan ? { reason: report.plan.reason } : {}),
    actions: (report.plan?.actions ?? []).map((a) => ({
      operation: 'UpdateSecretVersionStage',
      ...a,
      awsCli: awsCliCommand(report.arn, a, shellQuote),
    })),
    dryRun: !report.applied && report.plan !== undefined && report.plan.decision !== 'refuse',
    applied: report.applied,
    warnings: report.warnings,
    ...(next.length > 0 ? { next } : {}),
    stagesAfter: report.stagesAfter,
  };
}
