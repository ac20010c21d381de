/** The event Secrets Manager sends a rotation function, one per step. */
export interface RotationEvent {
  Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
  /** The secret's full ARN, as AWS sends it. */
  SecretId: string;
  /** The VersionId of the version being rotated in. */
  ClientRequestToken: string;
  RotationToken?: string;
}

/** An in-process rotation function (library use). */
export type RotationFunction = (event: RotationEvent) => Promise<unknown> | unknown;

/** A rotation function loaded from a handler file into its own worker thread, the way Lambda loads it. */
export interface LambdaModuleSpec {
  /**
   * Path to the handler file (CommonJS or ES module), or to a Lambda deployment package (`.zip`),
   * unpacked into a private temporary directory that is removed when the emulator stops.
   */
  file: string;
  /**
   * The handler's export name; `handler` by default. For a `.zip`, Lambda's handler string
   * `[path/]module.export`, e.g. `single-user.handler`.
   */
  exportName?: string;
  /** Environment variables of this function, on top of the server's own and the Lambda defaults. */
  env?: Record<string, string>;
  /** Receives the function's stdout/stderr; by default it goes to this process's streams. */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Told when an invocation starts and when it ends (for a benchmark's step boundaries), in this
   * thread, with the event it carries.
   */
  onInvocation?: (event: unknown, phase: 'start' | 'end') => void;
  /** Like a Lambda timeout: an invocation still running after this long fails. Default 300. */
  timeoutSeconds?: number;
}
