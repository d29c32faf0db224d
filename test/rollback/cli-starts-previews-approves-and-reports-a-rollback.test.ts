import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, type RollbackWorld } from './rollback-world';
import { runCli, type CliResult, worldCliEnv } from '../support/cli';

describe('the rollback commands drive a whole rollback', () => {
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

  function cli(...args: string[]): Promise<CliResult> {
    return runCli(worldCliEnv(rw.world), args);
  }

  it('start --wait shows the preview; preview, a refused and an accepted approve, status', async () => {
    const exportId = await rw.exportApp();
    const beforeAccident = await databaseFingerprint(db.url);
    await sql(db.url, 'update film set rental_rate = 0.99 where rating = $$PG-13$$');
    const expected = Number((await sql(db.url, "select count(*) from film where rating = 'PG-13' and film_id in (select film_id from film)")).rows[0].count);

    const started = await cli('rollback', 'start', '--source', 'app', '--export', exportId, '--tables', 'film', '--reason', 'wrong price list', '--requested-by', 'alice', '--id', 'cli-rates', '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    assert.equal(JSON.parse(started.stdout).stage, 'awaiting-approval');

    const preview = await cli('rollback', 'preview', 'cli-rates', '--json');
    assert.equal(preview.code, 0, preview.stderr);
    const body = JSON.parse(preview.stdout);
    assert.ok(body.preview.tables[0].updates > 0 && body.preview.tables[0].updates <= expected);
    assert.ok(body.samples[0].updates.length > 0);
    const human = await cli('rollback', 'preview', 'cli-rates');
    assert.match(human.stdout, /public\.film/);

    const refused = await cli('rollback', 'approve', 'cli-rates', '--as', 'alice', '--comment', 'mine');
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /alice does not hold the approver role/);
    const approved = await cli('rollback', 'approve', 'cli-rates', '--as', 'carol', '--comment', 'checked', '--json');
    assert.equal(approved.code, 0, approved.stderr);

    let status: { stage: string } = { stage: '' };
    while (!['done', 'failed', 'compensated'].includes(status.stage)) {
      const s = await cli('rollback', 'status', 'cli-rates', '--json');
      assert.equal(s.code, 0, s.stderr);
      status = JSON.parse(s.stdout);
    }
    assert.equal(status.stage, 'done');
    assert.deepEqual(await databaseFingerprint(db.url), beforeAccident);
  });

  it('bad usage exits 2 and --help exits 0', async () => {
    assert.equal((await cli('rollback', 'start', '--source', 'app')).code, 2);
    assert.equal((await cli('rollback', 'approve', '--help')).code, 0);
  });
});
