import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lambdaFunctionArn } from './arn';
import { type FaultConfig, FaultInjector } from './fault-injector';
import { createSecretsManagerServer } from './http-server';
import { LambdaRegistry } from './lambda-registry';
import { createOperations } from './operations';
import type { LambdaModuleSpec, RotationFunction } from './rotation-event';
import { runRotation } from './rotation-runner';
import { type Response, type RotateSecretInput, SecretStore } from './secret-store';
import { loadState, StateFileWriter } from './state-file';

export interface SecretsManagerLocalOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default us-east-1. */
  region?: string;
  /** Default 123456789012. */
  accountId?: string;
  /**
   * `sync` (default) runs the rotation function before RotateSecret responds, so a test sees the
   * finished rotation as soon as the call returns; `async` responds first, as AWS does.
   */
  rotation?: 'sync' | 'async';
  /** Persist secrets to this JSON file and load them from it at start. */
  stateFile?: string;
  /** Faults to inject from the start; more can be added at run time through `faults`. */
  faults?: FaultConfig;
  /** Where diagnostic lines (failed rotation steps, internal errors) go; default stderr. */
  log?: (line: string) => void;
}

/**
 * A local AWS Secrets Manager on the real wire protocol: point the unmodified
 * @aws-sdk/client-secrets-manager at `endpoint`. RotateSecret drives registered rotation
 * functions step by step, the way the service invokes a Lambda.
 */
export class SecretsManagerLocal {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** The store behind the server, for tests that want to look underneath the wire. */
  readonly store: SecretStore;
  /** Injects throttling, 500s, delays and lost responses into calls; empty unless configured. */
  readonly faults: FaultInjector;
  private readonly running = new Set<Promise<boolean>>();
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    store: SecretStore,
    private readonly lambdas: LambdaRegistry,
    private readonly stateWriter: StateFileWriter | undefined,
    endpoint: string,
    faults: FaultInjector,
  ) {
    this.store = store;
    this.faults = faults;
    this.region = store.region;
    this.accountId = store.accountId;
    this.endpoint = endpoint;
  }

  static async start(options: SecretsManagerLocalOptions = {}): Promise<SecretsManagerLocal> {
    const region = options.region ?? 'us-east-1';
    const accountId = options.accountId ?? '123456789012';
    const host = options.host ?? '127.0.0.1';
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const store = new SecretStore({ region, accountId });

    let stateWriter: StateFileWriter | undefined;
    if (options.stateFile) {
      const saved = await loadState(options.stateFile, region, accountId);
      if (saved) store.importSecrets(saved);
      stateWriter = new StateFileWriter(
        options.stateFile,
        region,
        accountId,
        () => store.exportSecrets(),
        log,
      );
      await stateWriter.probe();
      const writer = stateWriter;
      store.onChange(() => writer.schedule());
    }

    // The endpoint is known only once listening; module lambdas are created later, so read it lazily.
    let endpoint = '';
    const lambdas = new LambdaRegistry(() => lambdaDefaultEnv(endpoint, region));
    let instance: SecretsManagerLocal | undefined;
    const rotate = (input: RotateSecretInput): Promise<Response> => {
      if (!instance) throw new Error('RotateSecret arrived before the server finished starting.');
      return instance.rotate(input, options.rotation ?? 'sync', log);
    };
    const faults = new FaultInjector(options.faults);
    const server = createSecretsManagerServer(createOperations(store, rotate), log, (operation) =>
      faults.decide(operation),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    endpoint = `http://${urlHost(host)}:${(server.address() as AddressInfo).port}`;
    instance = new SecretsManagerLocal(server, store, lambdas, stateWriter, endpoint, faults);
    return instance;
  }

  /** The ARN under which a function named `name` is registered in this emulator's account and region. */
  lambdaArn(name: string): string {
    return lambdaFunctionArn(this.region, this.accountId, name);
  }

  /** Registers an in-process rotation function (library use). */
  registerLambda(arn: string, fn: RotationFunction): void {
    this.lambdas.registerFunction(arn, fn);
  }

  /**
   * Registers a handler file, run in its own worker thread with its own environment:
   * process.env, then Lambda-like defaults (AWS_REGION, dummy credentials,
   * SECRETS_MANAGER_ENDPOINT pointing here), then `spec.env`.
   */
  registerLambdaModule(arn: string, spec: LambdaModuleSpec): void {
    this.lambdas.registerModule(arn, spec);
  }

  /** Resolves when no asynchronous rotation is running. */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  /** Closes the server, terminates lambda workers and writes the state file one last time. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      // Terminating the workers fails any invocation in flight, which ends its rotation.
      await this.lambdas.closeAll();
      this.server.closeAllConnections();
      await closed;
      await this.stateWriter?.flush();
    })();
    return this.stopping;
  }

  private async rotate(
    input: RotateSecretInput,
    mode: 'sync' | 'async',
    log: (line: string) => void,
  ): Promise<Response> {
    const { response, plan } = this.store.startRotation(input, (arn) => this.lambdas.has(arn));
    const run = runRotation(this.store, plan, (arn, event) => this.lambdas.invoke(arn, event), log);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    // A failed step is not an error of the RotateSecret call: AWS has already answered 200 by then.
    if (mode === 'sync') await run;
    return response;
  }
}

/** What a function in Lambda finds in its environment, pointed at this emulator. */
function lambdaDefaultEnv(endpoint: string, region: string): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // A rotation function must never sign requests to the emulator with someone's real keys.
    AWS_ACCESS_KEY_ID: 'AKIDLOCALEMULATOR',
    AWS_SECRET_ACCESS_KEY: 'local-emulator-secret',
    AWS_SESSION_TOKEN: 'local-emulator-session',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs',
    SECRETS_MANAGER_ENDPOINT: endpoint,
  };
}

/** The host to put in the endpoint URL: a wildcard address is reachable as loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
