// Builds every engine's zip into assets/ with the `rotor package` command, so that the published
// construct deploys the zips of its own release.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
const require = createRequire(import.meta.url);
const rotor = join(dirname(require.resolve('@rotor/cli/package.json')), 'bin', 'rotor.js');
const result = spawnSync(process.execPath, [rotor, 'package', '--out', join(here, '..', 'assets')], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
process.exit(result.status ?? 1);
