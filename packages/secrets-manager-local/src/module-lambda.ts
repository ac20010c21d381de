import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { lambdaFunctionName } from './arn';
import {
  isDeploymentPackage,
  removeDeploymentPackage,
  resolveHandlerString,
  unpackDeploymentPackage,
} from './deployment-package';
import { LambdaInvocationError } from './errors';
import type { InvokeMessage, ResultMessage, WorkerData } from './lambda-worker';
import type { LambdaModuleSpec } from './rotation-event';

const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * The compiled bootstrap. Running from the TypeScript sources (under ts-jest) there is no
 * compiled file next to this one, so fall back to the package's build output.
 */
function workerScript(): string {
  const beside = join(__dirname, 'lambda-worker.js');
  return existsSync(beside) ? beside : join(__dirname, '..', 'dist', 'lambda-worker.js');
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A rotation function loaded from a handler file into its own worker thread: its own module
 * instance and environment, kept warm between invocations like a Lambda container. A crashed or
 * timed-out worker fails its invocations and is replaced on the next one. A `.zip` file is a
 * deployment package: unpacked once, on first use, into a private temporary directory that
 * close() removes, and `exportName` is then Lambda's handler string (`single-user.handler`).
 */
export class ModuleLambda {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly file: string;
  /** For a deployment package: the handler file and export inside the unpacked directory. */
  private unpacked: { directory: string; file: string; exportName: string } | undefined;

  constructor(
    private readonly arn: string,
    private readonly spec: LambdaModuleSpec,
    /** Lambda-style defaults (region, endpoint, …) that `spec.env` may override. */
    private readonly defaultEnv: Record<string, string>,
  ) {
    this.file = resolve(spec.file);
  }

  invoke(event: unknown): Promise<unknown> {
    const observe = this.spec.onInvocation;
    if (observe === undefined) return this.run(event);
    observe(event, 'start');
    return this.run(event).finally(() => observe(event, 'end'));
  }

  private run(event: unknown): Promise<unknown> {
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (error) {
      return Promise.reject(
        error instanceof LambdaInvocationError
          ? error
          : new LambdaInvocationError('Runtime.ImportModuleError', `Error: ${(error as Error).message}`, {
              cause: error,
            }),
      );
    }
    const id = this.nextId++;
    const timeoutMs = (this.spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const message: InvokeMessage = {
      id,
      event,
      awsRequestId: randomUUID(),
      deadline: Date.now() + timeoutMs,
    };
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        // Lambda kills a timed-out sandbox; so do we, which also fails anything else running in it.
        this.failAll(
          new LambdaInvocationError('Sandbox.Timedout', `Task timed out after ${timeoutMs / 1000} seconds`),
        );
        void worker.terminate();
      }, timeoutMs);
      this.pending.set(id, { resolve: resolvePromise, reject, timer });
      worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(
      new LambdaInvocationError('Runtime.Shutdown', 'The emulator stopped during the invocation.'),
    );
    if (worker) await worker.terminate();
    if (this.unpacked) {
      removeDeploymentPackage(this.unpacked.directory);
      this.unpacked = undefined;
    }
  }

  /** The file and export the worker loads; unpacks a deployment package the first time. */
  private loadTarget(): { file: string; exportName: string } {
    if (!isDeploymentPackage(this.file))
      return { file: this.file, exportName: this.spec.exportName ?? 'handler' };
    if (this.unpacked) return this.unpacked;
    const directory = unpackDeploymentPackage(this.file);
    try {
      this.unpacked = { directory, ...resolveHandlerString(directory, this.spec.exportName ?? 'handler') };
    } catch (error) {
      removeDeploymentPackage(directory);
      throw error;
    }
    return this.unpacked;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const workerData: WorkerData = {
      ...this.loadTarget(),
      functionName: lambdaFunctionName(this.arn),
      functionArn: this.arn,
    };
    const worker = new Worker(workerScript(), {
      workerData,
      env: {
        ...process.env,
        ...this.defaultEnv,
        AWS_LAMBDA_FUNCTION_NAME: workerData.functionName,
        ...this.spec.env,
      },
      stdout: true,
      stderr: true,
    });
    // The HTTP server keeps the process alive; an idle warm worker should not.
    worker.unref();
    this.forward(worker.stdout, 'stdout');
    this.forward(worker.stderr, 'stderr');
    worker.on('message', (message: ResultMessage) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new LambdaInvocationError(message.error.name, message.error.message));
    });
    worker.on('error', (error) => {
      this.drop(worker);
      this.failAll(
        new LambdaInvocationError(error.name || 'Runtime.UnhandledError', error.message, { cause: error }),
      );
    });
    worker.on('exit', (code) => {
      this.drop(worker);
      this.failAll(
        new LambdaInvocationError('Runtime.ExitError', `The function's runtime exited with code ${code}.`),
      );
    });
    this.worker = worker;
    return worker;
  }

  private forward(stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): void {
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      if (this.spec.onOutput) this.spec.onOutput(text, name);
      else (name === 'stdout' ? process.stdout : process.stderr).write(text);
    });
  }

  private drop(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
  }

  private failAll(error: LambdaInvocationError): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(error);
    }
  }
}
