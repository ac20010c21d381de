// Jest global setup: compile src/ to dist/ so that tests which start worker threads or spawn the
// command run the current code, however jest was started (turbo builds first; a bare jest does not).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = () => {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: path.join(__dirname, '..'),
    stdio: 'inherit',
  });
};
