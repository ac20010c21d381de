import { existsSync, readFileSync } from 'node:fs';
import { parseCliOptions, USAGE } from '../cli-options';
import { isDeploymentPackage } from '../deployment-package';
import { FaultConfigError, UsageError } from '../errors';
import { type FaultConfig, parseFaultConfig } from '../fault-injector';
import { SecretsManagerLocal } from '../secrets-manager-local';
import { readZip } from '../zip-reader';

async function main(): Promise<void> {
  let options: ReturnType<typeof parseCliOptions>;
  let faults: FaultConfig | undefined;
  try {
    options = parseCliOptions(process.argv.slice(2), process.cwd());
    if (options.faultsFile) faults = readFaults(options.faultsFile);
    for (const lambda of options.lambdas) {
      if (!existsSync(lambda.file))
        throw new UsageError(`--lambda ${lambda.arn}: no such file ${lambda.file}`);
      // A zip is unpacked only when first invoked; a corrupt one should stop the start instead.
      if (isDeploymentPackage(lambda.file)) checkZip(lambda.arn, lambda.file);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`rotor-secrets-manager: ${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const server = await SecretsManagerLocal.start({
    port: options.port,
    host: options.host,
    region: options.region,
    accountId: options.accountId,
    rotation: options.rotation,
    stateFile: options.stateFile,
    faults,
  });
  for (const lambda of options.lambdas) {
    const arn = lambda.arn.startsWith('arn:') ? lambda.arn : server.lambdaArn(lambda.arn);
    server.registerLambdaModule(arn, {
      file: lambda.file,
      exportName: lambda.exportName,
      env: lambda.env,
      // stdout carries only the endpoint line, so that a parent process can read it reliably.
      onOutput: (text) => process.stderr.write(text),
    });
    process.stderr.write(
      `${JSON.stringify({ event: 'lambda-registered', arn, file: lambda.file, export: lambda.exportName })}\n`,
    );
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means the user does not want to wait for the clean shutdown.
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`${JSON.stringify({ event: 'stopping', signal })}\n`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${JSON.stringify({ event: 'stop-failed', error: String(error) })}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`${server.endpoint}\n`);
}

function readFaults(file: string): FaultConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--faults: cannot read ${file} (${(error as Error).message})`);
  }
  try {
    return parseFaultConfig(text, `--faults ${file}`);
  } catch (error) {
    if (error instanceof FaultConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function checkZip(arn: string, file: string): void {
  try {
    readZip(readFileSync(file));
  } catch (error) {
    throw new UsageError(`--lambda ${arn}: ${file} is not a readable zip (${(error as Error).message})`);
  }
}

main().catch((error: unknown) => {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  process.stderr.write(`rotor-secrets-manager: ${name}: ${message}\n`);
  process.exit(1);
});
