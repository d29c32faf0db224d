import { Context } from '@temporalio/activity';

/**
 * Heartbeats every two seconds while `work` runs. Rollback activities spend long single
 * statements inside PostgreSQL (diffs, lock waits) with no natural place to heartbeat;
 * this keeps a live worker visibly alive while a dead one is still noticed within the
 * heartbeat timeout. `details()` is sent with each beat.
 */
export async function keepAlive<T>(work: () => Promise<T>, details: () => unknown = () => undefined): Promise<T> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(details()), 2000);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}
