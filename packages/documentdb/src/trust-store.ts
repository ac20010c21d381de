import { createHash } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';

// Node parses every `ca` certificate again for each TLS socket it opens, synchronously. The trust
// list core hands over is Node's roots plus the Amazon RDS CAs (about 260 certificates), which
// takes on the order of 100 ms of blocked event loop per socket, and the driver opens two sockets
// per login (its monitor and the pooled connection). So the parsed list is built once and shared.

const MAX_ENTRIES = 4;
const contexts = new Map<string, SecureContext>();

/** A TLS context trusting exactly `ca`, built once per distinct list. */
export function secureContextFor(ca: readonly string[]): SecureContext {
  const hash = createHash('sha256');
  for (const pem of ca) hash.update(pem).update('\0');
  const key = hash.digest('hex');
  let context = contexts.get(key);
  if (!context) {
    context = createSecureContext({ ca: [...ca] });
    // Only a changed ROTOR_CA_BUNDLE gives a new list; keep the few most recent.
    if (contexts.size >= MAX_ENTRIES) contexts.delete(contexts.keys().next().value as string);
    contexts.set(key, context);
  }
  return context;
}
