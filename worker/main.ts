import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/load';
import { redactSecrets } from '../core/redact';
import { createWorker } from './create-worker';

/**
 * The worker process. SIGTERM/SIGINT start a graceful shutdown: no new tasks are taken,
 * running activities get `shutdownGraceSeconds` to finish, then are cancelled and handed
 * back to the server, which retries them on another worker from their last heartbeat.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ shutdownSignals: [] });
  const { worker, finished } = await createWorker(config);
  const stop = (signal: string) => {
    process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'shutting down', signal })}\n`);
    worker.shutdown();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'worker started', taskQueue: config.temporal.taskQueue, address: config.temporal.address })}\n`);
  await finished;
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: 'worker failed', error: redactSecrets((error as Error).message) })}\n`);
  process.exit(1);
});
