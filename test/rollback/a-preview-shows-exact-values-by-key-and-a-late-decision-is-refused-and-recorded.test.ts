import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import { rollbackHandle, rollbackRecord, startRollback } from '../../client/rollbacks';
import { runCli, worldCliEnv, type CliResult } from '../support/cli';
import { tokenFor } from '../support/identity';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

const BIG_ID = '9007199254740993'; // 2^53 + 1: a float would print ...992
const AMOUNT = '12345678901234567890123456.1234567890'; // numeric(38,10): a float printed 1.2345678901234569e+25

describe('a preview tells values exactly, by key; a decision after the end is refused typed and recorded', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  before(async () => {
    db = await scratchDatabase('rbexact');
    await sql(db.url, `create table invoice (id bigint primary key, amount numeric(38,10), issued timestamp(6), note text);
      insert into invoice values (${BIG_ID}, ${AMOUNT}, '2026-11-22 10:00:00.123456', 'a'), (2, 0.1, '2026-11-22 11:00:00', 'b'), (3, 3, '2026-11-22 12:00:00', 'c')`);
    rw = await startRollbackWorld(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  const cli = (...args: string[]): Promise<CliResult> => runCli(worldCliEnv(rw.world), args);
  /** The CLI as `person`, with a token that proves it (a decision's `--as` must match the token). */
  const cliAs = async (person: string, ...args: string[]): Promise<CliResult> => runCli({ ...worldCliEnv(rw.world), RESTOREPOINT_TOKEN: await tokenFor(person) }, args);

  it('update, insert and delete samples name their row by key and show numeric, bigint and timestamps as text', async () => {
    const exportId = await rw.exportApp();
    await sql(db.url, `update invoice set amount = 0 where id = ${BIG_ID}; delete from invoice where id = 2; insert into invoice values (99, 1, '2026-12-01 00:00:00', 'new')`);
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['invoice'], requestedBy: 'alice', reason: 'INC-exact', rollbackId: 'rb-exact' });
    await waitForStage(rollback, 'awaiting-approval');

    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const samples = (await rollbackRecord(catalog, rollback.rollbackId)).samples!.find((s) => s.table === 'public.invoice')!;
      assert.deepEqual(samples.updates, [{ key: { id: BIG_ID }, before: { amount: '0.0000000000' }, after: { amount: AMOUNT } }]);
      assert.deepEqual(samples.inserts, [{ key: { id: '2' }, after: { id: '2', amount: '0.1000000000', issued: '2026-11-22 11:00:00', note: 'b' } }]);
      assert.deepEqual(samples.deletes, [{ key: { id: '99' }, before: { id: '99', amount: '1.0000000000', issued: '2026-12-01 00:00:00', note: 'new' } }]);
    } finally {
      await catalog.destroy();
    }
    const shown = await cli('rollback', 'preview', rollback.rollbackId);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(shown.stdout.includes(`update {"id":"${BIG_ID}"} {"amount":"0.0000000000"} → {"amount":"${AMOUNT}"}`), shown.stdout);
    assert.doesNotMatch(shown.stdout, /e\+2/);
  });

  it('a decision arriving after the rollback ended is recorded in the ledger as refused and answered with ROLLBACK_ENDED', async () => {
    const rejected = await cliAs('bob', 'rollback', 'reject', 'rb-exact', '--as', 'bob', '--comment', 'not this one');
    assert.equal(rejected.code, 0, rejected.stderr + rejected.stdout);
    assert.equal((await rollbackHandle(rw.client, 'rb-exact').result()).stage, 'rejected');

    const late = await cliAs('carol', 'rollback', 'approve', 'rb-exact', '--as', 'carol', '--comment', 'too late', '--json');
    assert.equal(late.code, 1, late.stdout + late.stderr);
    const body = JSON.parse(late.stdout);
    assert.equal(body.error.code, 'ROLLBACK_ENDED');
    assert.match(body.error.message, /ended rejected/);

    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const refused = (await listLedger(catalog, { subject: 'rb-exact' })).filter((e) => e.action === 'rollback.decision.refused');
      assert.equal(refused.length, 1);
      assert.equal(refused[0]!.actor, 'carol');
      assert.equal(refused[0]!.outcome, 'refused');
      assert.match(String(refused[0]!.details.reason), /ended rejected .* before this approve arrived/);
    } finally {
      await catalog.destroy();
    }

    const unknown = await cli('rollback', 'approve', 'rb-never-was', '--as', 'bob');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /ROLLBACK_NOT_FOUND: no rollback "rb-never-was"/);
  });
});
