import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { EngineModule } from '@rotor/rotation-core';
import { deployTemplateFiles } from '../deploy/template';
import { ENGINES } from '../engines/engines';
import { CliError } from '../errors';
import { findRepoRoot } from '../packaging/repo-root';
import type { Command } from './command';
import { parseOptions } from './parse-options';

export function createTemplatesCommand(engines: readonly EngineModule[] = ENGINES): Command {
  return {
    name: 'templates',
    summary: 'Write the CloudFormation (SAM) templates deploy/rotor-<engine>.template.json',
    help: `Usage: rotor templates [--out DIR] [--check] [--json]

Writes one template per engine: the rotation function from the zip in S3, its least-privilege
role, its log group, the invoke permission for Secrets Manager and, when RotationSchedule is
set, the secret's rotation schedule.

Options:
  --out DIR   Output directory (default: deploy/ at the repository root)
  --check     Write nothing; fail if a file differs from what would be written
  --json      Print the result as JSON
  -h, --help  Show this help`,

    async run(args, io) {
      const { values } = parseOptions('templates', args, {
        out: { type: 'string' },
        check: { type: 'boolean' },
      });
      if (values.help) {
        io.out(`${this.help}\n`);
        return 0;
      }
      const repoRoot = findRepoRoot(io.cwd);
      const outDir = values.out === undefined ? join(repoRoot, 'deploy') : resolve(io.cwd, values.out);
      const results: { file: string; status: 'written' | 'unchanged' | 'differs' }[] = [];
      for (const [name, text] of deployTemplateFiles(engines)) {
        const file = join(outDir, name);
        // Compared as JSON, not as text: formatting is the formatter's business.
        const same =
          existsSync(file) &&
          isDeepStrictEqual(parseOrUndefined(readFileSync(file, 'utf8')), JSON.parse(text));
        if (!same && !values.check) {
          mkdirSync(outDir, { recursive: true });
          writeFileSync(file, formatLikeTheRepository(repoRoot, name, text));
        }
        results.push({ file, status: same ? 'unchanged' : values.check ? 'differs' : 'written' });
      }
      if (values.json) io.out(`${JSON.stringify({ templates: results }, null, 2)}\n`);
      else for (const r of results) io.out(`${r.file}  ${r.status}\n`);
      const stale = results.filter((r) => r.status === 'differs');
      if (stale.length > 0) {
        throw new CliError(
          `templates out of date: ${stale.map((r) => r.file).join(', ')}; run rotor templates`,
        );
      }
      return 0;
    },
  };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Formats through the repository's Biome when there is one, so the written files already pass
 * `biome check`; otherwise the JSON is written as generated.
 */
function formatLikeTheRepository(repoRoot: string, name: string, text: string): string {
  let biome: string;
  try {
    biome = require.resolve('@biomejs/biome/bin/biome', { paths: [repoRoot] });
  } catch {
    return text;
  }
  const run = spawnSync(process.execPath, [biome, 'format', `--stdin-file-path=deploy/${name}`], {
    cwd: repoRoot,
    input: text,
    encoding: 'utf8',
  });
  return run.status === 0 && run.stdout.trim() !== '' ? run.stdout : text;
}
