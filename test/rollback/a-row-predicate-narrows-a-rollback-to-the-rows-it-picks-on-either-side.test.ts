import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import { rollbackHandle, rollbackRecord, startRollback, undoRollback, type RollbackHandle } from '../../client/rollbacks';
import { rollbackWorkflowId, type RollbackRequest } from '../../core/rollback/rollback-input';
import type { RollbackStatus } from '../../core/rollback/rollback-state';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import { testStack, type ScratchDatabase } from '../support/stack';
import { predicateRoleName } from '../../postgres/predicate-role';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';
import { runCli, type CliResult, worldCliEnv } from '../support/cli';

const PG = "rating = 'PG'";

/** The innermost failure's type (Temporal wraps: workflow → activity → application failure) or our error's code. */
function failureCode(error: unknown): string {
  let current = error as { cause?: unknown; type?: string; code?: string };
  while (current.cause) current = current.cause as typeof current;
  return current.type ?? current.code ?? '';
}

describe('a row predicate narrows a rollback to the rows it picks in the target or live data', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  let exportId: string;
  before(async () => {
    db = await pagilaDatabase('rollback');
    rw = await startRollbackWorld(db.url);
    exportId = await rw.exportApp();
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
    // Roles are cluster-wide; with the database gone, its predicate role holds nothing and can go.
    await sql(testStack().postgres.adminUrl, `drop role if exists ${predicateRoleName(db.name, { schema: 'public', name: 'film' })}`);
  });

  function cli(...args: string[]): Promise<CliResult> {
    return runCli(worldCliEnv(rw.world), args);
  }

  const filmRows = async (ids: readonly number[]) => (await sql(db.url, `select f::text as row from film f where film_id = any('{${ids.join(',')}}'::int[]) order by film_id`)).rows.map((r) => r.row as string);
  const film = async () => (await sql(db.url, 'select md5(string_agg(f::text, E\'\\n\' order by film_id)) as md5 from film f')).rows[0].md5 as string;

  it('refuses a separator, a comment, a missing column, a non-boolean and a subquery at start, typed, changing nothing', async () => {
    const untouched = await databaseFingerprint(db.url);
    const request = (where: string): Omit<RollbackRequest, 'rollbackId'> => ({ source: 'app', target: { exportId }, tables: ['film'], where: { film: where }, requestedBy: 'alice', reason: 'bad predicate' });

    // Text checks: the client refuses before any workflow exists, and so does prepare when the workflow is started directly.
    for (const where of [`${PG}; drop table film`, `${PG} -- and length > 90`, `${PG}) or (true`]) {
      await assert.rejects(startRollback(rw.client, request(where)), (e) => failureCode(e) === 'ROLLBACK_SCOPE_INVALID');
    }
    const direct = await rw.client.temporal.workflow.start('rollbackWorkflow', { taskQueue: rw.client.taskQueue, workflowId: rollbackWorkflowId('where-direct'), args: [{ ...request('1; drop table film'), rollbackId: 'where-direct' }, { credential: await rw.client.credential('alice') }] });
    await assert.rejects(direct.result(), (e) => failureCode(e) === 'ROLLBACK_SCOPE_INVALID');
    const cliRefused = await cli('rollback', 'start', '--source', 'app', '--export', exportId, '--tables', 'film', '--where', `film=${PG}; drop table film`, '--reason', 'bad', '--requested-by', 'alice');
    assert.equal(cliRefused.code, 2, 'a refused predicate is bad input');
    assert.match(cliRefused.stderr, /ROLLBACK_SCOPE_INVALID: the row predicate for film is refused: it contains a statement separator/);

    // Parser and database checks, in prepare, before anything is created.
    const refusals: readonly [string, RegExp][] = [
      ['no_such_column = 1', /column "no_such_column" does not exist/],
      ['length + 1', /argument of WHERE must be type boolean/],
      ['film_id in (select film_id from inventory)', /has a subquery \(a row predicate may use only the columns of its own table\)/],
      ['(select count(*) from customer) > 0', /has a subquery/],
    ];
    for (const [where, message] of refusals) {
      const rollback = await startRollback(rw.client, request(where));
      await assert.rejects(rollback.result(), (e) => failureCode(e) === 'ROLLBACK_SCOPE_INVALID');
      const status = await rollback.status();
      assert.equal(status.stage, 'failed');
      assert.match(status.outcome ?? '', message);
      assert.match(status.outcome ?? '', /public\.film/);
    }
    assert.deepEqual(await databaseFingerprint(db.url), untouched);
    assert.equal((await sql(db.url, "select 1 from pg_namespace where nspname like 'rp\\_%'")).rowCount, 0);
  });

  it("puts back the PG films (one deleted, one moved out of PG, one moved in, one inserted), leaves the rest, and undo restores the accident", async () => {
    const pick = async (text: string) => Number((await sql(db.url, text)).rows[0].film_id);
    const deleted = await pick("select film_id from film where rating = 'PG' and film_id not in (select film_id from inventory) order by film_id limit 1");
    const movedOut = await pick(`select film_id from film where rating = 'PG' and film_id <> ${deleted} order by film_id limit 1`);
    const movedIn = await pick("select film_id from film where rating = 'G' order by film_id limit 1");
    const pgFilms = (await sql(db.url, "select film_id from film where rating = 'PG' order by film_id")).rows.map((r) => Number(r.film_id));
    const original = await filmRows([...pgFilms, movedIn]);

    // The accident: prices zeroed for PG and G films, a PG film deleted, ratings changed both ways, a PG film added.
    await sql(db.url, "update film set rental_rate = 0 where rating in ('PG', 'G')");
    await sql(db.url, `delete from film_actor where film_id = ${deleted}; delete from film_category where film_id = ${deleted}; delete from film where film_id = ${deleted}`);
    await sql(db.url, `update film set rating = 'R' where film_id = ${movedOut}; update film set rating = 'PG' where film_id = ${movedIn}`);
    const inserted = await pick("insert into film (title, language_id, rating) values ('ACCIDENTAL PG FILM', 1, 'PG') returning film_id");
    const gStillZero = Number((await sql(db.url, "select count(*) from film where rating = 'G' and rental_rate = 0")).rows[0].count);
    assert.ok(gStillZero > 0);
    const afterAccident = await film();

    const started = await cli('rollback', 'start', '--source', 'app', '--export', exportId, '--tables', 'film', '--where', `film=${PG}`, '--reason', 'PG prices zeroed', '--requested-by', 'alice', '--id', 'where-pg', '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    const waiting = JSON.parse(started.stdout) as RollbackStatus;
    assert.equal(waiting.stage, 'awaiting-approval');
    assert.deepEqual(waiting.where, { film: PG });
    const preview = waiting.preview!.tables[0]!;
    // In scope: the PG films of the export (the deleted one and the one moved out included) plus those PG live now.
    assert.deepEqual(preview.narrowedTo, { where: PG, keys: pgFilms.length + 2 });
    assert.deepEqual([preview.inserts, preview.updates, preview.deletes], [1, pgFilms.length, 1]);
    const shown = await cli('rollback', 'preview', 'where-pg');
    assert.match(shown.stdout, new RegExp(`scope of public\\.film: the ${pgFilms.length + 2} rows \\(by primary key\\) where rating = 'PG' in the target or in live data`));

    const rollback: RollbackHandle = rollbackHandle(rw.client, 'where-pg');
    await rollback.decide('approve', 'bob', 'only the PG films');
    const done = await rollback.result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.equal(done.validation!.ok, true);
    assert.deepEqual(await filmRows([...pgFilms, movedIn]), original);
    assert.equal((await sql(db.url, `select 1 from film where film_id = ${inserted}`)).rowCount, 0);
    // Outside the predicate on both sides: G films keep the accident's price.
    assert.equal(Number((await sql(db.url, "select count(*) from film where rating = 'G' and rental_rate = 0")).rows[0].count), gStillZero);

    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const entries = await listLedger(catalog, { subject: 'where-pg' });
      const requested = entries.find((e) => e.action === 'rollback.requested')!;
      assert.deepEqual((requested.details as { where: unknown }).where, { film: PG });
      const prepared = entries.find((e) => e.action === 'rollback.prepared')!;
      assert.deepEqual((prepared.details as { narrowed: unknown }).narrowed, { 'public.film': { where: PG, keys: pgFilms.length + 2 } });
      assert.deepEqual((await rollbackRecord(catalog, 'where-pg')).where, { film: PG });

      const undo = await undoRollback(rw.client, catalog, 'where-pg', { requestedBy: 'alice' });
      const undoWaiting = await waitForStage(undo, 'awaiting-approval');
      assert.deepEqual(undoWaiting.preview!.tables[0]!.narrowedTo, { where: PG, keys: pgFilms.length + 2 });
      await undo.decide('approve', 'carol', 'back to the accident');
      assert.equal((await undo.result()).stage, 'done');
      assert.equal(await film(), afterAccident);
    } finally {
      await catalog.destroy();
    }
  });
});
