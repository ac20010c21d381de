// tedious 20 calls Promise.withResolvers (Node 22, the Lambda runtime the bundles target). The tests
// here run on Node 20 too, so give it the same few lines Node 22 has built in.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
