// `pnpm demo`: the demo in a checkout of the repository (the published `rotor` CLI has no demo).
import { runDemoCommand } from '../demo/demo-command';

runDemoCommand(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
