import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { listChainLinks } from '../../catalog/chain-repo';
import { withCatalog } from '../../catalog/catalog-db';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import type { ExportRequest } from '../../core/export-input';
import type { ChainLink } from '../../core/restore-points';
import { databaseFingerprint } from '../support/pagila';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { trackedPagila, type TrackedPagila } from '../trail/tracked-pagila';

/** A tracked Pagila source named `pagila`, a worker, a folder destination and scratch targets `target-<n>`. */
export interface ChainWorld {
  readonly source: TrackedPagila;
  readonly world: TestWorld;
  readonly client: RestorepointClient;
  readonly destination: string;
  readonly targets: readonly ScratchDatabase[];
  exportNow(mode: 'full' | 'incremental', extra?: Partial<ExportRequest>): Promise<ChainLink>;
  links(): Promise<ChainLink[]>;
  close(): Promise<void>;
}

export async function chainWorld(targetCount: number): Promise<ChainWorld> {
  const source = await trackedPagila();
  const targets: ScratchDatabase[] = [];
  for (let i = 0; i < targetCount; i += 1) targets.push(await scratchDatabase('pit'));
  const world = await startTestWorld({ pagila: source.db.url, ...Object.fromEntries(targets.map((t, i) => [`target-${i}`, t.url])) });
  await world.startWorker();
  const client = await connectClient(world.config);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-pit-'));
  const destination = `file://${folder}`;
  const links = () => withCatalog(world.config.catalog.url, (db) => listChainLinks(db, { source: 'pagila' }));
  return {
    source,
    world,
    client,
    destination,
    targets,
    links,
    async exportNow(mode, extra = {}) {
      const handle = await startExport(client, { source: 'pagila', destination, requestedBy: 'test', mode, ...extra });
      await handle.result();
      return (await links()).find((l) => l.exportId === handle.exportId)!;
    },
    async close() {
      await client.close();
      await world.close();
      await source.close();
      for (const t of targets) await t.drop();
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Table contents only: sequences are not in the trail (docs/incremental-and-point-in-time.md). */
export async function tableFingerprint(url: string): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await databaseFingerprint(url)).filter(([key]) => key.startsWith('table ')));
}

/** The database's clock now, ISO with microseconds: the time a reconstruction is asked for. */
export async function databaseNow(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ now: string }>(`select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as now`);
  return rows[0]!.now;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
