import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listChainLinks } from '../../catalog/chain-repo';
import { openCatalog, withCatalog } from '../../catalog/catalog-db';
import { listLedger } from '../../catalog/ledger';
import { startRollback } from '../../client/rollbacks';
import type { RollbackStatus } from '../../core/rollback/rollback-state';
import { databaseFingerprint } from '../support/pagila';
import { databaseNow, pause, tableFingerprint } from '../point-in-time/chain-world';
import { inTransactionAs, trackedPagila, type TrackedPagila } from '../trail/tracked-pagila';
import { sql, startRollbackWorld, waitForDecisionOrEnd, waitForStage, type RollbackWorld } from './rollback-world';
import { runCli, type CliResult, worldCliEnv } from '../support/cli';

/**
 * A tracked Pagila: a full export, changes, a delta, more changes, the moment T, then someone
 * else's later work outside the scope and the accident. Rolling film, customer and payment
 * back to T must keep every change before T (from the delta and from the live trail) and undo
 * only what came after it.
 */
describe('a rollback to a point in time puts the scope back exactly as it was at that moment', () => {
  let source: TrackedPagila;
  let rw: RollbackWorld;
  let beforeAnyExport: string;
  let fullId: string;
  let deltaId: string;
  let at: string;
  let atT: Record<string, string>;
  let afterAccident: Record<string, string>;
  const accident = { films: 0, payments: 0 };

  before(async () => {
    source = await trackedPagila();
    rw = await startRollbackWorld(source.db.url);
    const db = source.client;
    beforeAnyExport = await databaseNow(db);
    await pause(20);
    fullId = await rw.exportApp();
    await inTransactionAs(db, 'clerk@app', [
      `update customer set email = 'checked.' || email where customer_id <= 10`,
      `update film set rental_rate = 1.99 where film_id <= 20`,
      `delete from payment where customer_id = 7`,
    ]);
    deltaId = await rw.exportApp('incremental');
    await inTransactionAs(db, 'clerk@app', [
      `insert into customer (store_id, first_name, last_name, email, address_id, active) values (1, 'GRACE', 'HOPPER', 'grace@example.com', 5, 1)`,
      `update film set length = length + 1 where film_id <= 5`,
      `delete from payment where customer_id = 8`,
    ]);
    await pause(20);
    at = await databaseNow(db);
    atT = await tableFingerprint(source.db.url);
    await pause(20);
    await inTransactionAs(db, 'designer@app', [`update actor set last_name = 'LATER' where actor_id = 2`]);
    await db.query('begin');
    await db.query(`select set_config('restorepoint.actor', 'intern@app', true)`);
    accident.films = (await db.query(`update film set rental_rate = 0 where rating = 'G' and rental_rate <> 0`)).rowCount!;
    accident.payments = (await db.query('delete from payment where customer_id between 1 and 20')).rowCount!;
    await db.query('commit');
    afterAccident = await tableFingerprint(source.db.url);
    assert.ok(accident.films > 0 && accident.payments > 0);
  });
  after(async () => {
    await rw?.close();
    await source?.close();
  });

  function cli(...args: string[]): Promise<CliResult> {
    return runCli(worldCliEnv(rw.world), args);
  }

  it('--at with --export, neither, or a time without an offset is bad usage (exit 2)', async () => {
    const start = ['rollback', 'start', '--source', 'app', '--tables', 'film', '--reason', 'usage'];
    assert.equal((await cli(...start, '--at', at, '--export', fullId)).code, 2);
    assert.equal((await cli(...start)).code, 2);
    assert.equal((await cli(...start, '--at', '2026-11-22T10:00:00')).code, 2);
    assert.equal((await cli(...start, '--at', 'yesterday')).code, 2);
  });

  it('a time before any export is refused with NO_RESTORE_POINT and changes nothing', async () => {
    const rollback = await startRollback(rw.client, { source: 'app', target: { at: beforeAnyExport }, tables: ['film'], requestedBy: 'alice', reason: 'too early' });
    const status = await waitForDecisionOrEnd(rollback);
    assert.equal(status.stage, 'failed');
    await assert.rejects(rollback.result(), (error: Error) => {
      let cause: Error | undefined = error;
      while (cause?.cause instanceof Error) cause = cause.cause;
      assert.equal((cause as Error & { type?: string }).type, 'NO_RESTORE_POINT');
      return true;
    });
    assert.equal(status.restorePoint, null);
    assert.match(status.outcome ?? '', /no finished full export of app/);
    assert.deepEqual(await tableFingerprint(source.db.url), afterAccident);
    assert.equal((await sql(source.db.url, "select 1 from pg_namespace where nspname like 'rp\\_%'")).rowCount, 0);
  });

  it('the CLI loads the state at T side by side, naming the exports and trail range it resolved to', async () => {
    const started = await cli('rollback', 'start', '--source', 'app', '--at', at, '--tables', 'film,customer', '--reason', 'look first', '--requested-by', 'alice', '--side-by-side', 'as_of_t', '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    const status = JSON.parse(started.stdout) as RollbackStatus;
    assert.equal(status.stage, 'done', status.outcome ?? '');
    assert.deepEqual([status.restorePoint?.baseExportId, status.restorePoint?.deltaExportIds], [fullId, [deltaId]]);
    assert.equal(status.preview!.tables.find((t) => t.table === 'public.film')!.updates, accident.films);
    const copy = await databaseFingerprint(source.db.url, ['as_of_t']);
    for (const table of ['film', 'customer']) assert.equal(copy[`table as_of_t.${table}`], atT[`table public.${table}`], table);
    assert.deepEqual(await tableFingerprint(source.db.url), afterAccident);
  });

  it('previews exactly the accident, and once approved leaves film, customer and payment as they were at T', async () => {
    const rollback = await startRollback(rw.client, { source: 'app', target: { at }, tables: ['film', 'customer', 'payment'], requestedBy: 'alice', reason: 'INC-7: rates zeroed, payments deleted' });
    const waiting = await waitForStage(rollback, 'awaiting-approval');
    assert.equal(waiting.targetExportId, `at ${at}`);
    assert.equal(waiting.restorePoint!.baseExportId, fullId);
    assert.deepEqual(waiting.restorePoint!.deltaExportIds, [deltaId]);
    assert.match(waiting.restorePoint!.tail, /live trail/);
    assert.equal(waiting.restorePoint!.trail.through, null);

    // Changes before T (clerk's, in the delta and in the live trail) are the target: they show nowhere.
    const counts = Object.fromEntries(waiting.preview!.tables.map((t) => [t.table, { inserts: t.inserts, updates: t.updates, deletes: t.deletes }]));
    assert.deepEqual(counts, {
      'public.film': { inserts: 0, updates: accident.films, deletes: 0 },
      'public.customer': { inserts: 0, updates: 0, deletes: 0 },
      'public.payment': { inserts: accident.payments, updates: 0, deletes: 0 },
    });
    assert.equal(waiting.preview!.totals.conflicts, 0);
    // Every Pagila foreign key is ON UPDATE CASCADE, but no key of the scope changed or went: nothing outside can have moved, so nothing is named.
    assert.deepEqual(waiting.preview!.outsideScope, []);

    await rollback.decide('approve', 'bob', 'matches INC-7');
    const done = await rollback.result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.equal(done.validation!.ok, true);
    // The scope is as it was at T; the designer's later change outside it stays.
    assert.deepEqual(await tableFingerprint(source.db.url), { ...atT, 'table public.actor': afterAccident['table public.actor'] });

    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const entries = await listLedger(catalog, { subject: rollback.rollbackId });
      const resolved = entries.find((e) => e.action === 'rollback.restore-point.resolved');
      assert.deepEqual([resolved?.details.baseExportId, resolved?.details.deltaExportIds], [fullId, [deltaId]]);
      const prepared = entries.find((e) => e.action === 'rollback.prepared')!;
      assert.ok(Number(prepared.details.entriesReplayed) > 0);
      for (const action of ['rollback.approved', 'rollback.snapshot.taken', 'rollback.applied', 'rollback.validated', 'rollback.stage.done']) {
        assert.ok(entries.some((e) => e.action === action), action);
      }
    } finally {
      await catalog.destroy();
    }
  });

  it('its safety snapshot is marked for undo only: the next incremental export continues the chain, not the snapshot', async () => {
    const links = () => withCatalog(rw.world.config.catalog.url, (db) => listChainLinks(db, { source: 'app' }));
    // Newer than the delta and with a trail position, as every full export has: it used to become the next delta's parent.
    const snapshots = (await links()).filter((l) => l.exportId.endsWith('-safety'));
    assert.ok(snapshots.length > 0);
    for (const s of snapshots) assert.deepEqual([s.role, s.partial, s.trailTo !== null], ['safety-snapshot', true, true], s.exportId);
    const nextId = await rw.exportApp('incremental');
    const next = (await links()).find((l) => l.exportId === nextId)!;
    assert.deepEqual([next.parentExportId, next.baseExportId], [deltaId, fullId]);
  });

  it('a damaged part of the delta is found before anything is staged or changed', async () => {
    const part = path.join(rw.folder, deltaId, 'trail', fs.readdirSync(path.join(rw.folder, deltaId, 'trail')).find((name) => name.startsWith('part-'))!);
    const bytes = fs.readFileSync(part);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(part, bytes);
    const live = await tableFingerprint(source.db.url);
    const rollback = await startRollback(rw.client, { source: 'app', target: { at }, tables: ['film'], requestedBy: 'alice', reason: 'after a damaged delta' });
    const status = await waitForDecisionOrEnd(rollback);
    assert.equal(status.stage, 'failed');
    assert.match(status.outcome ?? '', new RegExp(`incremental export ${deltaId}: .*mismatch`));
    assert.deepEqual(await tableFingerprint(source.db.url), live);
    assert.equal((await sql(source.db.url, "select 1 from pg_namespace where nspname like 'rp\\_%'")).rowCount, 0);
  });
});
