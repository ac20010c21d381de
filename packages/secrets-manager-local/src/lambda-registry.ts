import { LambdaInvocationError } from './errors';
import { ModuleLambda } from './module-lambda';
import type { LambdaModuleSpec, RotationEvent, RotationFunction } from './rotation-event';

interface Invoker {
  invoke(event: RotationEvent): Promise<unknown>;
  close(): Promise<void>;
}

/** The rotation functions the emulator can "invoke", by Lambda ARN. */
export class LambdaRegistry {
  private readonly invokers = new Map<string, Invoker>();

  constructor(private readonly defaultEnv: () => Record<string, string>) {}

  registerFunction(arn: string, fn: RotationFunction): void {
    this.replace(arn, {
      invoke: async (event) => {
        try {
          return await fn(event);
        } catch (error) {
          throw error instanceof Error
            ? new LambdaInvocationError(error.name, error.message, { cause: error })
            : new LambdaInvocationError('Error', String(error));
        }
      },
      close: async () => {},
    });
  }

  registerModule(arn: string, spec: LambdaModuleSpec): void {
    this.replace(arn, new ModuleLambda(arn, spec, this.defaultEnv()));
  }

  has(arn: string): boolean {
    return this.invokers.has(arn);
  }

  invoke(arn: string, event: RotationEvent): Promise<unknown> {
    const invoker = this.invokers.get(arn);
    if (!invoker) {
      return Promise.reject(
        new LambdaInvocationError('ResourceNotFoundException', `Function not found: ${arn}`),
      );
    }
    return invoker.invoke(event);
  }

  async closeAll(): Promise<void> {
    const invokers = [...this.invokers.values()];
    this.invokers.clear();
    await Promise.all(invokers.map((i) => i.close()));
  }

  private replace(arn: string, invoker: Invoker): void {
    const old = this.invokers.get(arn);
    this.invokers.set(arn, invoker);
    void old?.close();
  }
}
