import { resolve } from 'node:path';
import { isDeploymentPackage } from './deployment-package';
import { UsageError } from './errors';

export interface LambdaOption {
  /** A Lambda ARN, or a bare function name to be turned into one. */
  arn: string;
  /** Absolute path (resolved against the working directory). */
  file: string;
  exportName: string;
  env: Record<string, string>;
}

export interface CliOptions {
  port: number;
  host: string;
  region: string;
  accountId: string;
  rotation: 'sync' | 'async';
  stateFile?: string;
  /** A JSON file of fault rules (`{seed?, rules: [...]}`), absolute. */
  faultsFile?: string;
  lambdas: LambdaOption[];
  help: boolean;
}

export const USAGE = `Usage: rotor-secrets-manager [options]

A local AWS Secrets Manager on the real wire protocol. Prints its endpoint URL on one line when
ready; stops cleanly on SIGTERM or SIGINT.

Options:
  --port N                  port to listen on; 0 (default) picks a free one
  --host HOST               address to listen on (default 127.0.0.1)
  --lambda ARN=FILE#EXPORT  register a rotation function: a handler file (relative to the
                            working directory) and its export (default "handler"); repeatable.
                            ARN may also be a bare function name. FILE may be a Lambda zip,
                            with Lambda's handler string as EXPORT:
                            dist/rotor-postgres.zip#single-user.handler
  --env NAME=VALUE          environment variable for the --lambda before it; repeatable
  --state FILE              keep secrets in FILE across restarts (written atomically)
  --faults FILE             inject faults from a JSON file {"seed": N, "rules": [{"kind":
                            "throttle"|"internal-error"|"delay"|"response-lost", "operation",
                            "nth", "probability", "times", "delayMs"}]}; for testing clients
  --region REGION           region in ARNs (default us-east-1)
  --account-id ID           account in ARNs (default 123456789012)
  --rotation sync|async     run rotations before RotateSecret answers (default) or after
  --help                    show this text`;

/** Parses the command line (without the node and script arguments). */
export function parseCliOptions(argv: readonly string[], cwd: string): CliOptions {
  const options: CliOptions = {
    port: 0,
    host: '127.0.0.1',
    region: 'us-east-1',
    accountId: '123456789012',
    rotation: 'sync',
    lambdas: [],
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    // Both `--port 80` and `--port=80`.
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value.`);
      return next;
    };
    switch (flag) {
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--port': {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65_535)
          throw new UsageError(`--port must be 0–65535, not "${text}".`);
        options.port = port;
        break;
      }
      case '--host':
        options.host = value();
        break;
      case '--region':
        options.region = value();
        break;
      case '--account-id':
        options.accountId = value();
        break;
      case '--rotation': {
        const mode = value();
        if (mode !== 'sync' && mode !== 'async')
          throw new UsageError(`--rotation must be sync or async, not "${mode}".`);
        options.rotation = mode;
        break;
      }
      case '--state':
        options.stateFile = resolve(cwd, value());
        break;
      case '--faults':
        options.faultsFile = resolve(cwd, value());
        break;
      case '--lambda':
        options.lambdas.push(parseLambda(value(), cwd));
        break;
      case '--env': {
        const lambda = options.lambdas.at(-1);
        if (!lambda) throw new UsageError('--env applies to the --lambda before it; give a --lambda first.');
        const text = value();
        const sep = text.indexOf('=');
        if (sep <= 0) throw new UsageError(`--env must be NAME=VALUE, not "${text}".`);
        lambda.env[text.slice(0, sep)] = text.slice(sep + 1);
        break;
      }
      default:
        throw new UsageError(`Unknown argument "${arg}".`);
    }
  }
  return options;
}

/** `ARN=FILE#EXPORT`: the ARN has no `=`, and the export name follows the last `#`. */
function parseLambda(text: string, cwd: string): LambdaOption {
  const sep = text.indexOf('=');
  if (sep <= 0 || sep === text.length - 1)
    throw new UsageError(`--lambda must be ARN=FILE#EXPORT, not "${text}".`);
  const arn = text.slice(0, sep);
  const target = text.slice(sep + 1);
  const hash = target.lastIndexOf('#');
  const file = hash === -1 ? target : target.slice(0, hash);
  const exportName = hash === -1 ? 'handler' : target.slice(hash + 1);
  if (file === '' || exportName === '')
    throw new UsageError(`--lambda must be ARN=FILE#EXPORT, not "${text}".`);
  if (isDeploymentPackage(file) && !/^[^.]+\.[^.]/.test(exportName.slice(exportName.lastIndexOf('/') + 1))) {
    throw new UsageError(
      `--lambda ${arn}: a zip needs Lambda's handler string MODULE.EXPORT after #, e.g. ${file}#single-user.handler, not "${exportName}".`,
    );
  }
  return { arn, file: resolve(cwd, file), exportName, env: {} };
}
