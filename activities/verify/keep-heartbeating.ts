import { Context } from '@temporalio/activity';

/** Well inside the data profile's 20-second heartbeat timeout. */
const INTERVAL_MS = 5_000;

/**
 * Runs `work` while heartbeating `progress()` every few seconds. One object or one table can
 * take longer than the heartbeat timeout to read or count, and a silent activity would be
 * taken for a dead worker and started again.
 */
export async function keepHeartbeating<T>(progress: () => unknown, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(progress()), INTERVAL_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
