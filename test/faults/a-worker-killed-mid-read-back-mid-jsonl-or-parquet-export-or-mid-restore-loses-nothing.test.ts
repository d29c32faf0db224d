import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import type { RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
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
import { assertNoOrphans, backends, pendingActivity, startKillWorld, waitFor, type KillWorld } from './fault-world';

const SMALL_ROWS = 20_000;
const BIG_ROWS = 200_000;
const TABLES = ['t1', 't2', 'big'];
const READ_BACK_BYTES_PER_SECOND = 1024 * 1024;

/**
 * More kill -9 points (docs/reliability.md, rows 28–33): verification at the checksums and
 * decode levels while encrypted parts are read back, a jsonl and a parquet export with parts
 * stored and a table mid-copy, the restore of that jsonl export mid-COPY, and a restore into a
 * new schema mid-COPY. Each kill is proved to have hit the job (the next worker runs a later attempt),
 * then: every row once (fingerprints), nothing half-applied, nothing orphaned, ledger once.
 */
describe('a worker killed mid-read-back, mid-jsonl or parquet export or mid-restore loses nothing', () => {
  let kill: KillWorld;
  let world: TestWorld;
  let client: RestorepointClient;
  let source: ScratchDatabase;
  const destination = `gs://restorepoint-more-kills-${process.pid}/k`;
  const adminUrl = () => testStack().postgres.adminUrl;
  /** The big table in many small encrypted parts, so reading them back takes long enough to be caught. */
  const manyParts = 'more-kills-many-parts';
  const jsonlExport = 'more-kills-jsonl';

  before(async () => {
    source = await scratchDatabase('more_kills_src');
    for (const t of ['t1', 't2']) await sql(source.url, `create table ${t} (id int primary key, v text)`, `insert into ${t} select g, md5(g::text) || md5((-g)::text) from generate_series(1, ${SMALL_ROWS}) g`);
    await sql(source.url, 'create table big (id int primary key, v text)', `insert into big select g, md5(g::text) from generate_series(1, ${BIG_ROWS}) g`);
    ({ world, client } = kill = await startKillWorld(source.url, 'more_kills_dst'));
    await (await startExport(client, { exportId: manyParts, source: 'src', destination, tables: ['big'], partSizeBytes: 64 * 1024, requestedBy: 'test' })).result();
  });

  after(async () => {
    await kill?.close();
    await source?.drop();
  });

  const killWhen = (what: string, reached: () => Promise<unknown>) => kill.worker.killWhen(what, reached);

  const freshTarget = () => kill.freshTarget();

  /** Each table's fingerprint in `schema` of `url` equals the source's. */
  async function assertSameRows(url: string, tables: readonly string[], schema = 'public'): Promise<void> {
    const restored = await databaseFingerprint(url, [schema]);
    const original = await databaseFingerprint(source.url);
    for (const t of tables) assert.equal(restored[`table ${schema}.${t}`], original[`table public.${t}`], `${schema}.${t}`);
  }

  async function assertEachRowOnce(url: string, qualified: string, rows: number): Promise<void> {
    const counted = await sql<{ n: string; d: string }>(url, `select count(*)::text as n, count(distinct id)::text as d from ${qualified}`);
    assert.deepEqual(counted[0], { n: String(rows), d: String(rows) }, qualified);
  }

  async function ledgerActions(subject: string, prefix: string): Promise<string[]> {
    const catalog = openCatalog(world.config.catalog.url);
    try {
      return (await listLedger(catalog, { subject })).map((e) => e.action).filter((a) => a.startsWith(prefix));
    } finally {
      await catalog.destroy();
    }
  }

  /** The kill hit the job: an activity of the workflow finished in a later attempt than its first (the dead worker's). */
  async function assertRetriedAfterTheKill(handle: WorkflowHandle): Promise<void> {
    const attempts = ((await handle.fetchHistory()).events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
    assert.ok(attempts.some((a) => a >= 2), `no activity was retried after the kill: attempts ${JSON.stringify(attempts)}`);
  }

  const count = (actions: readonly string[], action: string) => actions.filter((a) => a === action).length;

  /** Verification runs of the many-parts export so far: each ends with exactly one verification.finished. */
  let verified = 0;

  async function verificationKilledWhileReading(level: 'checksums' | 'decode'): Promise<void> {
    const runId = `more-kills-verify-${level}`;
    verified += 1;
    // Unthrottled, reading ~100 small parts back can end between two polls on a fast machine;
    // at 1 MB/s it takes seconds, so the kill lands mid-read-back every time.
    const run = await startVerification(client, { runId, exportId: manyParts, level, incremental: false, maxBytesPerSecond: READ_BACK_BYTES_PER_SECOND, requestedBy: 'test' });
    const handle = client.temporal.workflow.getHandle(verificationWorkflowId(runId));
    await killWhen(`the ${level} read-back`, () => pendingActivity(handle, 'verifyExportObjects'));
    const report = await run.result();
    await assertRetriedAfterTheKill(handle);
    assert.equal(report.status, 'passed', report.messages.join('; '));
    assert.equal(report.counts.read, report.counts.objects);
    assert.ok(report.counts.objects > 50, `${report.counts.objects} objects`);
    const actions = await ledgerActions(manyParts, 'verification.');
    assert.equal(count(actions, 'verification.finished'), verified, `${runId}: ${actions.join(', ')}`);
    // Reading back changes nothing: the export is still whole, nothing added or left behind.
    await assertNoOrphans(openStore(destination, world.config.gcs), manyParts);
  }

  it('verification at the checksums level, while it reads the encrypted parts back', async () => {
    await verificationKilledWhileReading('checksums');
  });

  it('verification at the decode level, while it decrypts and decodes the parts', async () => {
    await verificationKilledWhileReading('decode');
  });

  /** Exports the source in `format`, SIGKILLs the worker once parts are stored and a table is mid-copy; the next attempt finishes. */
  async function exportKilledMidCopy(exportId: string, format: 'jsonl' | 'parquet'): Promise<void> {
    const handle = await startExport(client, { exportId, source: 'src', destination, tables: TABLES, format, concurrency: 1, partSizeBytes: 256 * 1024, maxBytesPerSecond: 2 * 1024 * 1024, requestedBy: 'test' });
    const store = openStore(destination, world.config.gcs);
    const storedParts = async () => {
      let n = 0;
      for await (const _ of store.list(`${exportId}/data/`)) n += 1;
      return n;
    };
    await killWhen(`stored ${format} parts and a copy in flight`, async () => (await storedParts()) > 0 && (await backends(adminUrl(), source.name, 'restorepoint-export', 'copy%')).length > 0);
    const summary = await handle.result();
    await assertRetriedAfterTheKill(client.temporal.workflow.getHandle(exportWorkflowId(exportId)));
    assert.equal(summary.rows, 2 * SMALL_ROWS + BIG_ROWS);
    await assertNoOrphans(store, exportId);
    assert.deepEqual(await ledgerActions(exportId, 'export.'), ['export.requested', 'export.started', 'export.finished']);
  }

  it('jsonl export, with parts stored and a table mid-copy', async () => {
    await exportKilledMidCopy(jsonlExport, 'jsonl');
  });

  it('parquet export, with parts stored and a table mid-copy; its restore has every row once', async () => {
    const exportId = 'more-kills-parquet';
    await exportKilledMidCopy(exportId, 'parquet');
    const target = await freshTarget();
    await (await startRestore(client, { exportId, target: `local:${target.name}`, requestedBy: 'test' })).result();
    for (const t of TABLES) await assertEachRowOnce(target.url, t, t === 'big' ? BIG_ROWS : SMALL_ROWS);
    await assertSameRows(target.url, TABLES);
  });

  /** SIGKILLs the worker while a restore's COPY into `target` runs; the dead attempt's rows must vanish with its connection. */
  async function killMidCopy(target: ScratchDatabase): Promise<void> {
    await killWhen('a restore COPY in flight', async () => (await backends(adminUrl(), target.name, 'restorepoint-restore', 'copy%')).length > 0);
    await waitFor('the dead attempt to be rolled back', async () => (await backends(adminUrl(), target.name, 'restorepoint-restore', 'copy%')).length === 0);
    // The next attempt begins only after the 20 s heartbeat timeout: until then the target shows what the dead one left.
    const left = await sql<{ name: string }>(
      target.url,
      `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'`,
    );
    assert.deepEqual(left.map((r) => r.name), [], 'the killed attempt left tables (half-applied) in the target');
  }

  it('restore of the jsonl export, mid-COPY inside its transaction', async () => {
    const target = await freshTarget();
    const restore = await startRestore(client, { restoreId: 'more-kills-restore-jsonl', exportId: jsonlExport, target: `local:${target.name}`, requestedBy: 'test' });
    await killMidCopy(target);
    assert.equal((await restore.result()).rows, 2 * SMALL_ROWS + BIG_ROWS);
    await assertRetriedAfterTheKill(client.temporal.workflow.getHandle(restoreWorkflowId('more-kills-restore-jsonl')));
    for (const t of TABLES) await assertEachRowOnce(target.url, t, t === 'big' ? BIG_ROWS : SMALL_ROWS);
    await assertSameRows(target.url, TABLES);
    const actions = await ledgerActions(jsonlExport, 'restore.');
    assert.deepEqual([count(actions, 'restore.started'), count(actions, 'restore.finished')], [1, 1], actions.join(', '));
  });

  it('restore into a new schema, mid-COPY of many encrypted parts', async () => {
    const target = await freshTarget();
    const restore = await startRestore(client, { restoreId: 'more-kills-restore-schema', exportId: manyParts, target: `local:${target.name}`, targetSchema: 'restored', requestedBy: 'test' });
    await killMidCopy(target);
    assert.equal((await restore.result()).rows, BIG_ROWS);
    await assertRetriedAfterTheKill(client.temporal.workflow.getHandle(restoreWorkflowId('more-kills-restore-schema')));
    await assertEachRowOnce(target.url, 'restored.big', BIG_ROWS);
    await assertSameRows(target.url, ['big'], 'restored');
    const actions = await ledgerActions(manyParts, 'restore.');
    assert.deepEqual([count(actions, 'restore.started'), count(actions, 'restore.finished')], [1, 1], actions.join(', '));
  });
});
