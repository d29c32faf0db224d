import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Starts a worker as a child process (worker-process.ts) with a test world's config, and waits until it polls. */
export async function spawnWorker(config: unknown): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'worker-process.ts')], {
    env: { ...process.env, RESTOREPOINT_TEST_WORKER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code}: ${stderr}`)));
  });
  return child;
}
