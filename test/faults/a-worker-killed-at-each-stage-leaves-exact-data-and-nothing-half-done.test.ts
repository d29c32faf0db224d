import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import type { RestorepointClient } from '../../client/connect';
import { readRetentionRun } from '../../client/retention';
import { startExport, type ExportHandle } from '../../client/exports';
import { startRestore } from '../../client/restores';
import { startVerification } from '../../client/verifications';
import { exportWorkflowId } from '../../core/export-input';
import { restoreWorkflowId } from '../../core/restore-input';
import { verificationWorkflowId } from '../../core/verification/verification-input';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { openStore } from '../../storage/open-store';
import { sql } from '../export/harness';
import { scratchDatabase, testStack, type ScratchDatabase } from '../support/stack';
import type { TestWorld } from '../support/temporal';
import { assertNoOrphans, backends, pendingActivity, query, startKillWorld, waitFor, type KillWorld } from './fault-world';

const TABLES = ['t1', 't2', 't3', 't4'];
const ROWS = 20_000;
const BIG_ROWS = 300_000;

/**
 * kill -9 of the worker at stages of export, restore and verification (docs/reliability.md
 * lists every point). A crash reports nothing: Temporal gives the activity to the next worker
 * once its heartbeats stop, and that attempt must finish the job exactly: every row once
 * (fingerprints), nothing half-applied in a target, nothing orphaned in the store, one
 * ledger outcome. Each point kills the worker that holds the job and starts the next one.
 */
describe('a worker killed at each stage leaves exact data and nothing half done', () => {
  let kill: KillWorld;
  let world: TestWorld;
  let client: RestorepointClient;
  let source: ScratchDatabase;
  const destination = `gs://restorepoint-kill-points-${process.pid}/k`;
  const adminUrl = () => testStack().postgres.adminUrl;
  const bigExport = 'kill-big';

  before(async () => {
    source = await scratchDatabase('kill_src');
    for (const t of TABLES) await sql(source.url, `create table ${t} (id int primary key, v text)`, `insert into ${t} select g, md5(g::text) || md5((-g)::text) from generate_series(1, ${ROWS}) g`);
    await sql(source.url, 'create table big (id int primary key, v text)', `insert into big select g, md5(g::text) from generate_series(1, ${BIG_ROWS}) g`);
    ({ world, client } = kill = await startKillWorld(source.url, 'kill_dst'));
    await (await startExport(client, { exportId: bigExport, source: 'src', destination, tables: ['big'], requestedBy: 'test' })).result();
  });

  after(async () => {
    await kill?.close();
    await source?.drop();
  });

  const killWhen = (what: string, reached: () => Promise<unknown>) => kill.worker.killWhen(what, reached);

  const freshTarget = () => kill.freshTarget();

  /** The tables' rows in `url` fingerprint as the source's. */
  async function assertSameRows(url: string, tables: readonly string[]): Promise<void> {
    const only = (all: Record<string, string>) => Object.fromEntries(Object.entries(all).filter(([key]) => tables.some((t) => key === `table public.${t}`)));
    assert.deepEqual(only(await databaseFingerprint(url)), only(await databaseFingerprint(source.url)));
  }

  async function ledgerActions(subject: string, prefix: string): Promise<string[]> {
    const catalog = openCatalog(world.config.catalog.url);
    try {
      return (await listLedger(catalog, { subject })).map((e) => e.action).filter((a) => a.startsWith(prefix));
    } finally {
      await catalog.destroy();
    }
  }

  async function exportSurvives(exportId: string, handle: ExportHandle): Promise<void> {
    const summary = await handle.result();
    assert.equal(summary.rows, TABLES.length * ROWS);
    await assertNoOrphans(openStore(destination, world.config.gcs), exportId);
    const target = await freshTarget();
    await (await startRestore(client, { exportId, target: `local:${target.name}`, requestedBy: 'test' })).result();
    await assertSameRows(target.url, TABLES);
    assert.deepEqual(await ledgerActions(exportId, 'export.'), ['export.requested', 'export.started', 'export.finished']);
  }

  const exportCopying = async () => (await backends(adminUrl(), source.name, 'restorepoint-export', 'copy%')).length > 0;
  async function storedParts(exportId: string): Promise<number> {
    let n = 0;
    for await (const _ of openStore(destination, world.config.gcs).list(`${exportId}/data/`)) n += 1;
    return n;
  }

  const slowExport = (exportId: string) =>
    startExport(client, { exportId, source: 'src', destination, tables: TABLES, concurrency: 1, maxBytesPerSecond: 700 * 1024, requestedBy: 'test' });

  it('export, as soon as its data activity has started', async () => {
    const exportId = 'kill-export-start';
    const handle = await slowExport(exportId);
    await killWhen('the export data activity', () => pendingActivity(client.temporal.workflow.getHandle(exportWorkflowId(exportId)), 'exportData'));
    await exportSurvives(exportId, handle);
  });

  it('export, mid-copy of its first table', async () => {
    const exportId = 'kill-export-first-table';
    const handle = await slowExport(exportId);
    // One part per table here: no stored part yet means the first table is still being copied.
    await killWhen('the first table mid-copy', async () => (await exportCopying()) && (await storedParts(exportId)) === 0);
    await exportSurvives(exportId, handle);
  });

  it('export, with one table finished and the next mid-copy', async () => {
    const exportId = 'kill-export-later-table';
    const handle = await slowExport(exportId);
    await killWhen('a finished table and one mid-copy', async () => {
      const stored = await storedParts(exportId);
      return stored > 0 && stored < TABLES.length && (await exportCopying());
    });
    await exportSurvives(exportId, handle);
  });

  /** An ACCESS EXCLUSIVE lock on a catalog table, held in an open transaction until `release`. */
  async function holdCatalogTable(table: string): Promise<{ release(): Promise<void> }> {
    const holder = new pg.Client({ connectionString: world.config.catalog.url });
    await holder.connect();
    await holder.query('begin');
    await holder.query(`lock table ${table} in access exclusive mode`);
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        await holder.query('rollback').catch(() => undefined);
        await holder.end().catch(() => undefined);
      },
    };
  }

  /** Sessions of the catalog waiting for a lock on `table`. */
  async function lockWaiters(table: string): Promise<number> {
    const rows = await query<{ n: string }>(
      world.config.catalog.url,
      'select count(*)::text as n from pg_locks l join pg_class c on c.oid = l.relation where l.database = (select oid from pg_database where datname = current_database()) and c.relname = $1 and not l.granted',
      [table],
    );
    return Number(rows[0]!.n);
  }

  /**
   * Starts a run while `table` of the catalog is locked, kills the worker once the run's data
   * activity is pending (`pending`) and waiting on that lock, then lets the next worker go on:
   * for a point the activity would otherwise pass between two polls.
   */
  async function killWhileWaitingOn<T>(table: string, start: () => Promise<T>, pending: () => Promise<unknown>): Promise<T> {
    const hold = await holdCatalogTable(table);
    try {
      const started = await start();
      await killWhen(`the data activity waiting on ${table}`, async () => (await pending()) && (await lockWaiters(table)) > 0);
      return started;
    } finally {
      await hold.release();
    }
  }

  /** Restores of the big export so far: each must be in the ledger exactly once as started and once as finished. */
  let restores = 0;

  async function restoreSurvives(target: ScratchDatabase, result: Promise<{ rows: number }>): Promise<void> {
    assert.equal((await result).rows, BIG_ROWS);
    const counted = await sql<{ n: string; d: string }>(target.url, 'select count(*)::text as n, count(distinct id)::text as d from big');
    assert.deepEqual(counted[0], { n: String(BIG_ROWS), d: String(BIG_ROWS) });
    await assertSameRows(target.url, ['big']);
    const actions = await ledgerActions(bigExport, 'restore.');
    assert.deepEqual([actions.filter((a) => a === 'restore.started').length, actions.filter((a) => a === 'restore.finished').length], [restores, restores]);
  }

  it('restore, before it checks the stored objects and connects to the target', async () => {
    const target = await freshTarget();
    const restoreId = 'kill-restore-verify-first';
    restores += 1;
    // A restore of this export takes well under a second now, less than a poll can be sure to
    // see: the activity is held at its data-key lookup (export_keys, which neither the client's
    // check nor the workflow's short steps read) until the worker holding it has been killed.
    const restore = await killWhileWaitingOn(
      'export_keys',
      () => startRestore(client, { restoreId, exportId: bigExport, target: `local:${target.name}`, requestedBy: 'test' }),
      () => pendingActivity(client.temporal.workflow.getHandle(restoreWorkflowId(restoreId)), 'restoreExport'),
    );
    await restoreSurvives(target, restore.result());
  });

  it('restore, mid-COPY inside its transaction: the dead attempt leaves no row and the next loads each once', async () => {
    const target = await freshTarget();
    const restoreId = 'kill-restore-mid-copy';
    restores += 1;
    const restore = await startRestore(client, { restoreId, exportId: bigExport, target: `local:${target.name}`, requestedBy: 'test' });
    await killWhen('a restore COPY in flight', async () => (await backends(adminUrl(), target.name, 'restorepoint-restore', 'copy%')).length > 0);
    // The killed attempt's transaction died with its connection: nothing of it is visible.
    await waitFor('the dead attempt to be rolled back', async () => (await backends(adminUrl(), target.name, 'restorepoint-restore', 'copy%')).length === 0);
    await restoreSurvives(target, restore.result());
  });

  /** Verification runs of the big export so far: each ends with exactly one verification.finished. */
  let verified = 0;

  async function verificationSurvives(runId: string, result: Promise<{ status: string; restore?: { status: string } }>): Promise<void> {
    const report = await result;
    assert.equal(report.status, 'passed');
    assert.equal(report.restore?.status, 'ok');
    const left = await sql<{ n: string }>(source.url, `select count(*)::text as n from pg_namespace where nspname like 'rp_verify_%'`);
    assert.equal(left[0]!.n, '0', 'a scratch schema was left behind');
    const finished = (await ledgerActions(bigExport, 'verification.')).filter((a) => a === 'verification.finished');
    assert.equal(finished.length, verified, `${runId}: verification.finished recorded ${finished.length} times`);
  }

  it('verification (restore level), while it reads the stored objects back', async () => {
    const runId = 'kill-verify-objects';
    verified += 1;
    // The read-back of this export is over in well under a second, less than a poll can be sure
    // to see: the activity is held when it records its first verdict (verified_objects, which
    // nothing before the read-back touches) until the worker holding it has been killed.
    const run = await killWhileWaitingOn(
      'verified_objects',
      () => startVerification(client, { runId, exportId: bigExport, level: 'restore', incremental: false, requestedBy: 'test' }),
      () => pendingActivity(client.temporal.workflow.getHandle(verificationWorkflowId(runId)), 'verifyExportObjects'),
    );
    await verificationSurvives(runId, run.result());
  });

  it('verification (restore level), mid-restore of its scratch copy', async () => {
    const runId = 'kill-verify-scratch-restore';
    verified += 1;
    const run = await startVerification(client, { runId, exportId: bigExport, level: 'restore', incremental: false, requestedBy: 'test' });
    await killWhen('the scratch copy loading', async () => (await backends(adminUrl(), source.name, 'restorepoint-restore', 'copy%')).length > 0);
    await verificationSurvives(runId, run.result());
  });

  it('verification (restore level), while it fingerprints the scratch copy', async () => {
    const runId = 'kill-verify-compare';
    verified += 1;
    const run = await startVerification(client, { runId, exportId: bigExport, level: 'restore', incremental: false, requestedBy: 'test' });
    await killWhen('the scratch copy compared', async () => (await backends(adminUrl(), source.name, 'restorepoint-verify', 'copy%')).length > 0);
    await verificationSurvives(runId, run.result());
  });

  it('retention, while it deletes exports (last: it deletes what its plan condemns)', async () => {
    // Many small parts, so the deletion takes long enough to be caught in the middle.
    await (await startExport(client, { exportId: 'kill-retention-many', source: 'src', destination, tables: ['big'], partSizeBytes: 64 * 1024, requestedBy: 'test' })).result();
    const plan = async (dryRun: boolean) => {
      const handle = await client.temporal.workflow.start('retentionWorkflow', {
        taskQueue: client.taskQueue,
        workflowId: `retention-kill-${dryRun ? 'plan' : 'run'}-${process.pid}`,
        args: [{ policy: { keepLast: 1, minAgeDays: 0 }, batchSize: 1, dryRun, requestedBy: 'test' }, { credential: await client.credential('test') }],
      });
      return handle;
    };
    const catalog = openCatalog(world.config.catalog.url);
    try {
      const dry = (await (await plan(true)).result()) as { planId: string };
      const planned = (await readRetentionRun(catalog, dry.planId)).plan.exports;
      const doomed = planned.filter((e) => e.action.kind === 'delete').map((e) => e.exportId);
      const kept = planned.filter((e) => e.action.kind !== 'delete').map((e) => e.exportId);
      assert.ok(doomed.includes('kill-retention-many'), JSON.stringify(planned.map((e) => [e.exportId, e.action.kind])));
      const handle = await plan(false);
      await killWhen('a deletion batch', () => pendingActivity(handle, 'applyRetentionBatch'));
      const summary = (await handle.result()) as { applied: { deleted: number } };
      assert.equal(summary.applied.deleted, doomed.length);
      for (const exportId of kept) assert.equal((await catalog('exports').where({ id: exportId }).first()).status, 'succeeded', exportId);
      const store = openStore(destination, world.config.gcs);
      for (const exportId of doomed) {
        assert.equal((await catalog('exports').where({ id: exportId }).first()).status, 'deleted', exportId);
        for await (const object of store.list(`${exportId}/`)) assert.fail(`${object.key} outlived the deletion of ${exportId}`);
        assert.deepEqual(await ledgerActions(exportId, 'retention.deleted'), ['retention.deleted'], exportId);
      }
    } finally {
      await catalog.destroy();
    }
  });
});
