import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type pg from 'pg';
import { openCatalog } from '../../catalog/catalog-db';
import { listLedger, type LedgerEntry } from '../../catalog/ledger';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import type { RolesByResource } from '../../identity/permissions';
import { createWorker, type RunningWorker } from '../../worker/create-worker';
import { sql } from '../rollback/rollback-world';
import { tokenFor } from '../support/identity';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';

/** Two sources, `a` and `b`, each one small table, a worker whose policy needs one approver, and a folder for exports. */
export interface IdentityWorld {
  readonly world: TestWorld;
  readonly sources: Readonly<Record<'a' | 'b', ScratchDatabase>>;
  readonly folder: string;
  /** A client presenting exactly `token` (or none), whatever name a call claims. */
  clientWith(token: string | undefined): Promise<RestorepointClient>;
  /** A client presenting a fresh token for `subject` with `roles`. */
  clientAs(subject: string, roles: RolesByResource): Promise<RestorepointClient>;
  /** An export of `source` taken by an admin. */
  exportOf(source: 'a' | 'b'): Promise<string>;
  ledger(subject?: string): Promise<readonly LedgerEntry[]>;
  catalogRows(table: string): Promise<readonly Record<string, unknown>[]>;
  sql(source: 'a' | 'b', text: string): Promise<pg.QueryResult>;
  close(): Promise<void>;
}

export async function startIdentityWorld(): Promise<IdentityWorld> {
  const sources = { a: await scratchDatabase('ident_a'), b: await scratchDatabase('ident_b') };
  for (const db of Object.values(sources)) await sql(db.url, "create table item (id int primary key, name text not null); insert into item select g, 'item ' || g from generate_series(1, 20) g");
  const world = await startTestWorld({ a: sources.a.url, b: sources.b.url });
  const worker: RunningWorker = await createWorker({ ...world.config, approval: { approversRequired: 1, approvers: [], requesterMayApprove: false, timeoutSeconds: 3600 } }, world.env.nativeConnection);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-identity-'));
  const clients: RestorepointClient[] = [];
  const catalog = openCatalog(world.config.catalog.url);
  const clientWith = async (token: string | undefined) => {
    const client = await connectClient(world.config, { tokens: async () => token });
    clients.push(client);
    return client;
  };
  return {
    world,
    sources,
    folder,
    clientWith,
    clientAs: async (subject, roles) => clientWith(await tokenFor(subject, roles)),
    async exportOf(source) {
      const admin = await clientWith(world.adminToken);
      const handle = await startExport(admin, { source, destination: `file://${folder}/${source}` });
      await handle.result();
      return handle.exportId;
    },
    ledger: (subject) => listLedger(catalog, subject ? { subject } : {}),
    catalogRows: (table) => catalog(table).select(),
    sql: (source, text) => sql(sources[source].url, text),
    async close() {
      for (const client of clients) await client.close();
      await catalog.destroy();
      worker.worker.shutdown();
      await worker.finished.catch(() => undefined);
      await world.close();
      for (const db of Object.values(sources)) await db.drop();
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The failure type of a workflow that failed (its ApplicationFailure's type), or null when it did not fail. */
export async function failureType(result: Promise<unknown>): Promise<string | null> {
  try {
    await result;
    return null;
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    return (error.cause as { type?: string } | undefined)?.type ?? null;
  }
}
