// The AWS SDK warns on every client that Node 20 support ends; the Lambda runtime is Node 22 and
// this command's output is read by people and scripts, so the notice is left out here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
