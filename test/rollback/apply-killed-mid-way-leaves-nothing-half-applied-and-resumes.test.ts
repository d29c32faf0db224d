import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRollback } from '../../client/rollbacks';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

describe('an apply whose connection dies mid-way', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  before(async () => {
    db = await pagilaDatabase('rollback');
    rw = await startRollbackWorld(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  it('leaves nothing half-applied, and the retried apply finishes the rollback', async () => {
    const exportId = await rw.exportApp();
    const beforeAccident = await databaseFingerprint(db.url);
    const accident = await sql(db.url, 'update rental set return_date = null');
    const afterAccident = await databaseFingerprint(db.url);

    // One row per statement, so apply is still writing when it is killed.
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['rental'], requestedBy: 'alice', reason: 'returns wiped', batchRows: 1 });
    await waitForStage(rollback, 'awaiting-approval');
    await rollback.decide('approve', 'bob', 'ok');
    for (;;) {
      const status = await rollback.status();
      if (status.progress.rowsApplied > 0) break;
      assert.notEqual(status.stage, 'done', 'apply finished before it could be interrupted');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const killed = await sql(db.url, "select pg_terminate_backend(pid, 5000) as ok from pg_stat_activity where application_name = 'restorepoint-rollback-apply'");
    assert.equal(killed.rows[0]?.ok, true);
    assert.deepEqual(await databaseFingerprint(db.url), afterAccident, 'the interrupted transaction left no row changed');

    const done = await rollback.result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.equal(done.progress.rowsApplied, accident.rowCount);
    assert.deepEqual(await databaseFingerprint(db.url), beforeAccident);
  });
});
