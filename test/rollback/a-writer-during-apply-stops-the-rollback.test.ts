import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startRollback } from '../../client/rollbacks';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

describe('writers touching the scope stop the rollback instead of being overwritten', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  let exportId: string;
  before(async () => {
    db = await pagilaDatabase('rollback');
    rw = await startRollbackWorld(db.url);
    exportId = await rw.exportApp();
    await sql(db.url, 'update film set rental_rate = 0');
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  const start = () => startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['film'], requestedBy: 'alice', reason: 'rates zeroed', lockTimeoutSeconds: 1 });

  it('a change committed after the preview stops apply, and the change survives', async () => {
    const rollback = await start();
    await waitForStage(rollback, 'awaiting-approval');
    await sql(db.url, "update film set title = 'CHANGED LATER' where film_id = 1");
    const afterWriter = await databaseFingerprint(db.url);
    await rollback.decide('approve', 'bob', 'ok');
    await assert.rejects(rollback.result());
    const status = await rollback.status();
    assert.equal(status.stage, 'failed');
    assert.match(status.outcome ?? '', /changed after the preview was approved/);
    assert.deepEqual(await databaseFingerprint(db.url), afterWriter);
  });

  it('a writer holding rows in scope when apply starts stops it, nothing changed', async () => {
    const rollback = await start();
    await waitForStage(rollback, 'awaiting-approval');
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    try {
      await writer.query('begin');
      await writer.query("update film set description = 'being edited' where film_id = 2");
      await rollback.decide('approve', 'bob', 'ok');
      await assert.rejects(rollback.result());
      const status = await rollback.status();
      assert.equal(status.stage, 'failed');
      assert.match(status.outcome ?? '', /a writer held the scope/);
      await writer.query('commit');
    } finally {
      await writer.end();
    }
    const rates = await sql(db.url, 'select count(*)::int as n from film where rental_rate <> 0');
    assert.equal(rates.rows[0].n, 0, 'the accident is still there: the rollback applied nothing');
  });
});
