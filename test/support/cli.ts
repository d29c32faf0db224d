import { execFile } from 'node:child_process';
import path from 'node:path';
import type { TestWorld } from './temporal';
import { testStack } from './stack';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const BIN = path.join(__dirname, '../../bin/restorepoint.js');

/**
 * Runs the restorepoint CLI as a user would, a process of its own, with `env` on top of this
 * process's environment. Resolves with the exit code and output; a non-zero exit is a result
 * the test asserts on, not a rejection.
 */
export function runCli(env: Readonly<Record<string, string>>, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/** What points the CLI at a test world: its Temporal namespace and task queue, its catalog, the GCS emulator. */
export function worldCliEnv(world: Pick<TestWorld, 'config' | 'taskQueue'> & Partial<Pick<TestWorld, 'adminToken'>>): Record<string, string> {
  return {
    ...(world.adminToken ? { RESTOREPOINT_TOKEN: world.adminToken } : {}),
    TEMPORAL_ADDRESS: world.config.temporal.address,
    TEMPORAL_NAMESPACE: world.config.temporal.namespace,
    RESTOREPOINT_TASK_QUEUE: world.taskQueue,
    RESTOREPOINT_CATALOG_URL: world.config.catalog.url,
    STORAGE_EMULATOR_HOST: testStack().gcs.url,
    // The CLI checks an export's source against its own configuration before anything starts.
    ...Object.fromEntries(Object.entries(world.config.sources).filter(([name]) => /^[a-z][a-z0-9_]*$/.test(name)).map(([name, source]) => [`RESTOREPOINT_SOURCE_${name.toUpperCase()}`, source.url])),
  };
}
