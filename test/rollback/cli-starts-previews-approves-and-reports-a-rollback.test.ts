import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, type RollbackWorld } from './rollback-world';
import { runCli, type CliResult, worldCliEnv } from '../support/cli';
import { tokenFor } from '../support/identity';

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

  /** The CLI run by `subject`, proving it with a token of their own. */
  async function cliAs(subject: string, ...args: string[]): Promise<CliResult> {
    return runCli({ ...worldCliEnv(rw.world), RESTOREPOINT_TOKEN: await tokenFor(subject) }, args);
  }

  it('start --wait shows the preview; preview, a refused and an accepted approve, status', async () => {
    const exportId = await rw.exportApp();
    const beforeAccident = await databaseFingerprint(db.url);
    await sql(db.url, 'update film set rental_rate = 0.99 where rating = $$PG-13$$');
    const expected = Number((await sql(db.url, "select count(*) from film where rating = 'PG-13' and film_id in (select film_id from film)")).rows[0].count);

    const started = await cliAs('alice', 'rollback', 'start', '--source', 'app', '--export', exportId, '--tables', 'film', '--reason', 'wrong price list', '--requested-by', 'alice', '--id', 'cli-rates', '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    assert.equal(JSON.parse(started.stdout).stage, 'awaiting-approval');

    const preview = await cli('rollback', 'preview', 'cli-rates', '--json');
    assert.equal(preview.code, 0, preview.stderr);
    const body = JSON.parse(preview.stdout);
    assert.ok(body.preview.tables[0].updates > 0 && body.preview.tables[0].updates <= expected);
    assert.ok(body.samples[0].updates.length > 0);
    const human = await cli('rollback', 'preview', 'cli-rates');
    assert.match(human.stdout, /public\.film/);

    assert.match(body.previewDigest, /^[0-9a-f]{64}$/);
    const refused = await cliAs('alice', 'rollback', 'approve', 'cli-rates', '--as', 'alice', '--comment', 'mine');
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /alice does not hold the approver role/);
    // --as is a claim: carol's name on alice's token is refused.
    const impostor = await cliAs('alice', 'rollback', 'approve', 'cli-rates', '--as', 'carol', '--comment', 'as carol');
    assert.equal(impostor.code, 1);
    assert.match(impostor.stdout, /PERMISSION_DENIED: the caller claims to be carol but the token proves alice/);
    const approved = await cliAs('carol', 'rollback', 'approve', 'cli-rates', '--digest', body.previewDigest, '--comment', 'checked', '--json');
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    assert.equal(JSON.parse(approved.stdout).by, 'carol');

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
