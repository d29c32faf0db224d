import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { testStack } from './stack';
import type { TestWorld } from './temporal';
import { WORKER_NODE_FLAGS } from '../../worker/node-flags';

/** `url` with the user `postgres` and `password` in it (the stack trusts local connections, so it still connects). */
export function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = 'postgres';
  parsed.password = password;
  return parsed.toString();
}

/** The worker as deployed (worker/main.ts), a process of its own, with everything it wrote kept. */
export interface LoggedWorker {
  readonly process: ChildProcess;
  /** Its stdout so far (one pino log). */
  stdout(): string;
  /** Its stderr so far. */
  stderr(): string;
  /** The port its `/metrics` answers on (from its "worker started" line). */
  readonly metricsPort: number;
  /** Asks it to stop (SIGTERM) and waits until it has. */
  stop(): Promise<void>;
  /** Kills it (SIGKILL) unless it has exited: for `after`. */
  kill(): Promise<void>;
}

/**
 * Starts worker/main.ts for `world` with one source `src` and every database URL carrying
 * `password`, at `logLevel`, and resolves once it logged "worker started": for the tests that
 * search what a deployed worker writes (logs, metrics) for secrets.
 */
export async function startLoggedWorker(world: TestWorld, sourceUrl: string, options: { readonly password: string; readonly logLevel: 'debug' | 'info' }): Promise<LoggedWorker> {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', path.join(__dirname, '../../worker/main.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: world.config.temporal.address,
      TEMPORAL_NAMESPACE: world.config.temporal.namespace,
      RESTOREPOINT_TASK_QUEUE: world.taskQueue,
      RESTOREPOINT_CATALOG_URL: withPassword(world.config.catalog.url, options.password),
      RESTOREPOINT_SOURCE_SRC: withPassword(sourceUrl, options.password),
      STORAGE_EMULATOR_HOST: testStack().gcs.url,
      RESTOREPOINT_METRICS_PORT: '0',
      RESTOREPOINT_METRICS_HOST: '127.0.0.1',
      LOG_LEVEL: options.logLevel,
      RESTOREPOINT_LOG_LEVEL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let started: RegExpExecArray | null = null;
  while (!(started = /"metricsPort":(\d+)[^\n]*"msg":"worker started"/.exec(stdout))) {
    if (child.exitCode !== null) throw new Error(`worker exited: ${stderr}${stdout}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await once(child, 'exit');
  };
  return { process: child, stdout: () => stdout, stderr: () => stderr, metricsPort: Number(started[1]), stop: () => exited('SIGTERM'), kill: () => exited('SIGKILL') };
}
