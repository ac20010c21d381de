import { LoginFailedError } from '../errors';
import type { DatabaseSecret } from '../secret-value';
import type { StepContext } from '../strategies/rotation-strategy';
import { readSuperuserSecret, resolveStepSuperuser } from './step-superuser';

// Between tries; replication usually takes well under a second.
const FIRST_WAIT_MS = 250;
const LONGEST_WAIT_MS = 2000;

/**
 * testSecret's login. When the pending credentials are refused on a host that is a read replica
 * of the superuser's database (setSecret changed the user on the primary), the change may not
 * have replicated yet: try again until it has, bounded by the step's deadline. Any other failure,
 * and any refusal on a host that is not a replica, ends the step at once.
 */
export async function loginAwaitingReplica<C>(ctx: StepContext<C>, pending: DatabaseSecret): Promise<C> {
  const first = await ctx.login.tryLogin(pending, 'AWSPENDING');
  if ('connection' in first) return first.connection;
  if (first.failure.reason !== 'authentication' || !pending.masterarn) throw first.failure;
  const superuser = await readSuperuserSecret(ctx, pending.masterarn);
  if (!superuser) throw first.failure;
  const target = await resolveStepSuperuser(ctx, pending, superuser, pending.masterarn);
  if (!target.replica) throw first.failure;

  ctx.log.info('waiting for the password change to reach the read replica', {
    host: pending.host,
    replica: target.replica,
  });
  let wait = FIRST_WAIT_MS;
  let last = first.failure;
  let tries = 1;
  while (ctx.deadline.remainingMs() > wait) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, LONGEST_WAIT_MS);
    tries++;
    const attempt = await ctx.login.tryLogin(pending, 'AWSPENDING');
    if ('connection' in attempt) return attempt.connection;
    if (attempt.failure.reason !== 'authentication') throw attempt.failure;
    last = attempt.failure;
  }
  throw new LoginFailedError(
    `the pending credentials were still refused on ${pending.host}, ${target.replica}, after ${tries} tries until the step's deadline: the change made on the primary has not replicated (${last.detail})`,
    'authentication',
    { ...ctx.errorContext, username: pending.username },
    { cause: last },
  );
}
