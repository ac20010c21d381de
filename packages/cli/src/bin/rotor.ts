import { runCli } from '../run-cli';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  // runCli reports its own errors; this is only reached if writing to stderr itself failed.
  () => {
    process.exitCode = 1;
  },
);
