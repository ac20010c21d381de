const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

module.exports = async () => {
  const assets = join(__dirname, '..', 'assets');
  if (existsSync(assets) && readdirSync(assets).some((f) => f.endsWith('.zip'))) return;
  const run = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-assets.mjs')], {
    stdio: 'inherit',
  });
  if (run.status !== 0) throw new Error('building the zips into packages/cdk/assets failed');
};
