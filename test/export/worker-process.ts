/**
 * A worker in a process of its own, for tests that kill it: the config (a test world's) comes
 * as JSON in RESTOREPOINT_TEST_WORKER_CONFIG. Prints "ready" once it polls its task queue.
 */
import { configSchema } from '../../config/schema';
import { createWorker } from '../../worker/create-worker';

async function main(): Promise<void> {
  const config = configSchema.parse(JSON.parse(process.env.RESTOREPOINT_TEST_WORKER_CONFIG ?? ''));
  const running = await createWorker(config);
  process.stderr.write('ready\n');
  await running.finished;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
