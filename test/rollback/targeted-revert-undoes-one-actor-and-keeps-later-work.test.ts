import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startRollback, undoRollback } from '../../client/rollbacks';
import { openCatalog } from '../../catalog/catalog-db';
import { trackTables } from '../../trail';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

async function as(url: string, actor: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query("select set_config('restorepoint.actor', $1, true)", [actor]);
    for (const statement of statements) await client.query(statement);
    await client.query('commit');
  } finally {
    await client.end();
  }
}

describe("a targeted revert undoes one actor's changes through the same stages, keeps everyone else's later work, and can be undone", () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  before(async () => {
    db = await pagilaDatabase('revert');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await trackTables(client, ['public']);
    await client.end();
    rw = await startRollbackWorld(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  it('previews, approves, applies and validates the inverse; film_actor and the rates come back, the later change stays', async () => {
    const before = await databaseFingerprint(db.url);
    const rates = (await sql(db.url, "select md5(string_agg(film_id || ':' || rental_rate, ',' order by film_id)) as h from film")).rows[0].h;
    const roles = Number((await sql(db.url, 'select count(*) from film_actor where actor_id = 1')).rows[0].count);
    await as(db.url, 'intern@app', ["update film set rental_rate = rental_rate * 2 where rating in ('PG', 'G')", 'delete from film_actor where actor_id = 1']);
    await as(db.url, 'clerk@app', ["update film set length = length + 1 where rating = 'R'"]);
    const changed = Number((await sql(db.url, "select count(*) from film where rating in ('PG', 'G')")).rows[0].count);
    const beforeRevert = await databaseFingerprint(db.url);

    const revert = await startRollback(rw.client, { source: 'app', target: { trail: { actor: 'intern@app' } }, snapshotDestination: `file://${rw.folder}`, requestedBy: 'alice', reason: 'intern ran the wrong script' });
    const preview = (await waitForStage(revert, 'awaiting-approval')).preview!;
    const byTable = Object.fromEntries(preview.tables.map((t) => [t.table, t]));
    assert.equal(byTable['public.film']!.updates, changed);
    assert.equal(byTable['public.film_actor']!.inserts, roles);
    assert.equal(preview.totals.conflicts, 0);

    await revert.decide('approve', 'bob', 'ok');
    const done = await revert.result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.ok(done.safetyExportId);
    const now = await databaseFingerprint(db.url);
    assert.equal(now['table public.film_actor'], before['table public.film_actor']);
    assert.equal((await sql(db.url, "select md5(string_agg(film_id || ':' || rental_rate, ',' order by film_id)) as h from film")).rows[0].h, rates);
    assert.notEqual(now['table public.film'], before['table public.film'], "the clerk's later change to R films is kept");

    // Undo: back to the revert's safety snapshot, through approval again.
    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const undo = await undoRollback(rw.client, catalog, revert.rollbackId, { requestedBy: 'alice' });
      await waitForStage(undo, 'awaiting-approval');
      await undo.decide('approve', 'carol', 'undo the revert');
      assert.equal((await undo.result()).stage, 'done');
      assert.deepEqual(await databaseFingerprint(db.url), beforeRevert);
    } finally {
      await catalog.destroy();
    }
  });

  it('a selection whose rows someone changed again later is shown with the conflict and not applied', async () => {
    const since = ((await sql(db.url, 'select now() as t')).rows[0].t as Date).toISOString();
    await as(db.url, 'intern@app', ["update film set title = 'OOPS' where film_id = 7"]);
    await as(db.url, 'clerk@app', ["update film set title = 'FIXED BY HAND' where film_id = 7"]);
    const revert = await startRollback(rw.client, { source: 'app', target: { trail: { actor: 'intern@app', tables: ['public.film'], from: since } }, snapshotDestination: `file://${rw.folder}`, requestedBy: 'alice', reason: 'again' });
    const final = await revert.result();
    assert.equal(final.stage, 'failed');
    assert.match(final.outcome ?? '', /conflicting rows/);
    assert.match(JSON.stringify(final.preview!.constraintConflicts), /changed later by clerk@app/);
    assert.equal((await sql(db.url, 'select title from film where film_id = 7')).rows[0].title, 'FIXED BY HAND');
  });

  it('a rollback to an export names, from the trail, who changed the rows it would overwrite', async () => {
    const exportId = await rw.exportApp();
    await as(db.url, 'intern@app', ["update film set rental_duration = rental_duration + 1 where film_id <= 10"]);
    await as(db.url, 'clerk@app', ["update film set rental_duration = rental_duration + 2 where film_id between 11 and 13"]);
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['film'], requestedBy: 'alice', reason: 'who did this?' });
    const film = (await waitForStage(rollback, 'awaiting-approval')).preview!.tables[0]!;
    const byActor = Object.fromEntries(film.changedSinceTarget.map((c) => [(c.actors ?? []).join(','), c.rows]));
    assert.deepEqual(byActor, { 'intern@app': 10, 'clerk@app': 3 });
    await rollback.decide('reject', 'carol', 'only the intern\'s rows should go back: use revert');
    assert.equal((await rollback.result()).stage, 'rejected');
  });
});
