import pg from 'pg';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport, type StartExportOptions } from '../../client/exports';
import { startRestore, type StartRestoreOptions } from '../../client/restores';
import type { Config } from '../../config/schema';
import { openStore } from '../../storage/open-store';
import type { ObjectStore } from '../../storage/object-store';
import { startTestWorld, type TestWorld } from '../support/temporal';
import type { ExportSummary } from '../../workflows/export-workflow';
import type { RestoreSummary } from '../../core/restore-input';

/** A test world with a running worker and a client, for export and restore tests. */
export interface ExportWorld {
  readonly world: TestWorld;
  readonly client: RestorepointClient;
  exportNow(options: StartExportOptions): Promise<ExportSummary>;
  restoreNow(options: StartRestoreOptions): Promise<RestoreSummary>;
  store(destination: string): ObjectStore;
  close(): Promise<void>;
}

export async function exportWorld(sources: Record<string, string>, overrides: Partial<Config['export']> = {}, { worker = true } = {}): Promise<ExportWorld> {
  const world = await startTestWorld(sources, overrides);
  if (worker) await world.startWorker();
  const client = await connectClient(world.config);
  return {
    world,
    client,
    exportNow: async (options) => (await startExport(client, { requestedBy: 'test', ...options })).result(),
    restoreNow: async (options) => (await startRestore(client, { requestedBy: 'test', ...options })).result(),
    store: (destination) => openStore(destination, world.config.gcs),
    async close() {
      await client.close();
      await world.close();
    },
  };
}

/** Runs SQL statements one by one on a fresh connection; returns the last result's rows. */
export async function sql<Row extends object = Record<string, unknown>>(url: string, ...statements: string[]): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let rows: Row[] = [];
    for (const statement of statements) rows = (await client.query<Row>(statement)).rows;
    return rows;
  } finally {
    await client.end();
  }
}

/** The typed failure inside a workflow failure (workflow → activity → application failure). */
export function failureOf(error: unknown): { type: string; message: string } {
  for (let e = error as { type?: unknown; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.type === 'string' && e.type) return { type: e.type, message: e.message ?? '' };
  }
  throw new Error(`no typed failure in ${String(error)}`);
}

/** Resolves to the rejection of `promise`, or fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, but it succeeded');
}
