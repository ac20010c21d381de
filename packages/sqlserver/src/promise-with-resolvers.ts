// tedious 20 calls Promise.withResolvers, which Node.js has from version 22 (the Lambda runtime the
// zips are built for). So that the handlers also run on Node 20, the same few lines are defined
// here when the runtime lacks them; on Node 22 this does nothing.
interface WithResolvers {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };
}

const PromiseConstructor = Promise as unknown as WithResolvers;
if (typeof PromiseConstructor.withResolvers !== 'function') {
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
