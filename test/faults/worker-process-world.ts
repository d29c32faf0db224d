import { connectClient, type RestorepointClient } from '../../client/connect';
import type { Config } from '../../config/schema';
import { sql } from '../export/harness';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { WorkerProcess } from './fault-world';

/** The four tables a faulted export copies, one at a time, slowly enough for a fault to land mid-copy. */
export const TABLES = ['t1', 't2', 't3', 't4'];
export const ROWS = 20_000;

/** Creates TABLES in the database at `url`, ROWS rows each (about 1.5 MB a table). */
export async function fillTables(url: string): Promise<void> {
  for (const t of TABLES) await sql(url, `create table ${t} (id int primary key, v text)`, `insert into ${t} select g, md5(g::text) || md5((-g)::text) from generate_series(1, ${ROWS}) g`);
}

/** A test world whose worker runs as a process of its own, pointed by `rewire` at a service the test stops and starts (Temporal, the object store). */
export interface WorkerProcessWorld {
  readonly world: TestWorld;
  /** The world's config after `rewire`: what the worker and the client use. */
  readonly config: Config;
  readonly client: RestorepointClient;
  readonly worker: WorkerProcess;
  /** Kills the worker and closes the client and the world (not the test's own services or databases). */
  close(): Promise<void>;
}

export async function startWorkerProcessWorld(sources: Record<string, string>, rewire: (config: Config) => Config): Promise<WorkerProcessWorld> {
  const world = await startTestWorld(sources);
  const config = rewire(world.config);
  const client = await connectClient(config);
  const worker = await WorkerProcess.start(config);
  return {
    world,
    config,
    client,
    worker,
    async close() {
      await worker.kill();
      await client.close();
      await world.close();
    },
  };
}
