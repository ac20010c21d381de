import { resolve } from 'node:path';
import type { EngineModule } from '@rotor/rotation-core';
import { engineModuleNamed } from '../engines/engine-registry';
import { ENGINES } from '../engines/engines';
import { type BuiltZip, buildEngineZip } from '../packaging/build-engine-zip';
import { formatSize } from '../packaging/format-size';
import { buildRoot } from '../packaging/repo-root';
import type { Command } from './command';
import { parseOptions } from './parse-options';

export function createPackageCommand(engines: readonly EngineModule[] = ENGINES): Command {
  return {
    name: 'package',
    summary: 'Build the Lambda zips (dist/rotor-<engine>.zip)',
    help: `Usage: rotor package [--engine ENGINE]... [--out DIR] [--sourcemap] [--json]

Bundles each engine's handlers with esbuild (driver and AWS SDK inside, Node.js 22 target) and
writes a reproducible zip holding single-user.js, alternating-users.js, certs/rds-ca-bundle.pem
and THIRD_PARTY_NOTICES (name, version, license and license/notice texts of every bundled
package; the build fails when one declares no license). Lambda handler names:
single-user.handler, alternating-users.handler.

Options:
  --engine ENGINE  Only this engine (repeatable). Engines: ${engines.map((m) => m.name).join(', ')}
  --out DIR        Output directory (default: dist/ at the repository root; outside the
                   repository, dist/ in the current directory)
  --sourcemap      Also add single-user.js.map and alternating-users.js.map
  --json           Print the result as JSON
  -h, --help       Show this help`,

    async run(args, io) {
      const { values } = parseOptions('package', args, {
        engine: { type: 'string', multiple: true },
        out: { type: 'string' },
        sourcemap: { type: 'boolean' },
      });
      if (values.help) {
        io.out(`${this.help}\n`);
        return 0;
      }
      const selected = (values.engine ?? engines.map((m) => m.name)).map((name) =>
        engineModuleNamed(name, engines),
      );
      const root = buildRoot(io.cwd);
      const outDir = values.out === undefined ? root.outDir : resolve(io.cwd, values.out);

      const built: BuiltZip[] = [];
      for (const module of selected) {
        const zip = await buildEngineZip({
          module,
          repoRoot: root.directory,
          outDir,
          sourcemap: values.sourcemap === true,
        });
        built.push(zip);
        if (!values.json) io.out(`${zip.file}  ${formatSize(zip.bytes)}  (${zip.entries.join(', ')})\n`);
      }
      if (values.json) io.out(`${JSON.stringify({ zips: built }, null, 2)}\n`);
      return 0;
    },
  };
}
