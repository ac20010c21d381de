// tedious 20 (the mssql driver's) calls Promise.withResolvers, which Node.js has from version 22 (the
// Lambda runtime the zips are built for). So that SQL Server code also runs on Node 20 (the SQL Server
// engine, the testkit's login check), this defines those few lines when the runtime lacks them; on
// Node 22 it does nothing.
interface WithResolvers {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };
}

/** Defines Promise.withResolvers where the runtime lacks it (Node 20); a no-op on Node 22. */
export function installPromiseWithResolvers(): void {
  const PromiseConstructor = Promise as unknown as WithResolvers;
  if (typeof PromiseConstructor.withResolvers === 'function') return;
  PromiseConstructor.withResolvers = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
