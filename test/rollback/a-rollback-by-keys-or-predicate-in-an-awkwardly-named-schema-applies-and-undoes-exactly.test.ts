import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openCatalog } from '../../catalog/catalog-db';
import { rollbackHandle, undoRollback } from '../../client/rollbacks';
import type { RollbackStatus } from '../../core/rollback/rollback-state';
import { runCli, worldCliEnv } from '../support/cli';
import { predicateRoleName } from '../../postgres/predicate-role';
import { scratchDatabase, testStack, type ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

/** Quoted as a user types it: the dot inside the table's name needs the quotes, and so does the space. */
const LINES = '"Sales Data"."Order.Lines"';
/** The rows as exported, written again before each case. */
const FILL = `insert into ${LINES} select g, g, g * 1.25, 'ab' || g, case when g % 4 = 0 then 'Ω' else 'ß' || g end from generate_series(1, 12) g`;
/** The row predicate names quoted columns with a space, a quote and non-ASCII letters, and has an "=" of its own. */
const PREDICATE = `"ünï" = 'Ω' or "a""b" = 'ab3'`;

/**
 * Issue 11 item 2 for rollback: a schema with a capital and a space, a table with a dot, columns
 * with a space, a quote and unicode, narrowed by `--keys` (the key column is "Line Id") and by
 * `--where`, previewed, approved, applied, validated and undone, all from the command line.
 */
describe('a rollback by keys or by a row predicate in an awkwardly named schema applies and undoes exactly', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  let exportId: string;
  before(async () => {
    db = await scratchDatabase('rbawkward');
    await sql(db.url, `create schema "Sales Data";
      create table ${LINES} ("Line Id" int primary key, "Quantity" int not null, "unit price" numeric(12,2), "a""b" text, "ünï" text);
      ${FILL}`);
    rw = await startRollbackWorld(db.url);
    exportId = await rw.exportApp();
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
    // Roles are cluster-wide; with the database gone, its predicate role holds nothing and can go.
    await sql(testStack().postgres.adminUrl, `drop role if exists ${predicateRoleName(db.name, { schema: 'Sales Data', name: 'Order.Lines' })}`);
  });

  const lines = async () => (await sql(db.url, `select l::text as row from ${LINES} l order by "Line Id"`)).rows.map((r) => r.row as string);
  const cli = (...args: string[]) => runCli(worldCliEnv(rw.world), args);

  /** Starts from the CLI, approves, checks the result, undoes, and returns the preview's counts. */
  async function rollBackAndUndo(id: string, narrowing: readonly string[], expected: (original: readonly string[], now: readonly string[]) => void): Promise<number[]> {
    await sql(db.url, `delete from ${LINES}; ${FILL}`);
    const original = await lines();
    await sql(db.url, `update ${LINES} set "unit price" = 0; delete from ${LINES} where "Line Id" in (2, 4); insert into ${LINES} values (99, 99, 1, 'ab3', 'Ω')`);
    const afterAccident = await lines();
    const started = await cli('rollback', 'start', '--source', 'app', '--export', exportId, '--tables', LINES, ...narrowing, '--reason', 'prices zeroed', '--requested-by', 'alice', '--id', id, '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    const waiting = JSON.parse(started.stdout) as RollbackStatus;
    assert.equal(waiting.stage, 'awaiting-approval', waiting.outcome ?? '');
    const preview = waiting.preview!.tables[0]!;
    assert.equal(preview.table, 'Sales Data.Order.Lines');
    const shown = await cli('rollback', 'preview', id);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /"Line Id":/, 'samples name their rows by the quoted key column');

    const rollback = rollbackHandle(rw.client, id);
    await rollback.decide('approve', 'bob', 'ok');
    const done = await rollback.result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.equal(done.validation!.ok, true);
    expected(original, await lines());

    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const undo = await undoRollback(rw.client, catalog, id, { requestedBy: 'alice' });
      await waitForStage(undo, 'awaiting-approval');
      await undo.decide('approve', 'carol', 'back to the accident');
      const undone = await undo.result();
      assert.equal(undone.stage, 'done', undone.outcome ?? '');
      assert.deepEqual(await lines(), afterAccident);
    } finally {
      await catalog.destroy();
    }
    return [preview.inserts, preview.updates, preview.deletes];
  }

  it('--keys puts back exactly the chosen rows (one deleted, one changed) and undo restores the accident', async () => {
    const keys = JSON.stringify({ [LINES]: [{ 'Line Id': 1 }, { 'Line Id': 2 }] });
    const counts = await rollBackAndUndo('awkward-keys', ['--keys', keys], (original, now) => {
      assert.deepEqual(now.slice(0, 2), original.slice(0, 2));
      assert.match(now[2]!, /^\(3,3,0\.00,/, 'a row outside the keys keeps the accident');
      assert.equal(now.length, 12, 'line 4 stays deleted and line 99 stays');
    });
    assert.deepEqual(counts, [1, 1, 0]);
  });

  it('--where on quoted columns puts back the rows it picks on either side and undo restores the accident', async () => {
    const counts = await rollBackAndUndo('awkward-where', ['--where', `${LINES}=${PREDICATE}`], (original, now) => {
      // In scope: 3 (ab3), 4, 8, 12 (Ω) in the target, and 99 (both) live; 4 comes back, 99 goes, 3, 8 and 12 get their price back.
      const picked = original.filter((row) => /^\((3|4|8|12),/.test(row));
      assert.deepEqual(now.filter((row) => /^\((3|4|8|12|99),/.test(row)), picked);
      assert.match(now.find((row) => row.startsWith('(1,'))!, /^\(1,1,0\.00,/, 'a row outside the predicate keeps the accident');
      assert.equal(now.some((row) => row.startsWith('(2,')), false, 'line 2 is outside the predicate and stays deleted');
    });
    assert.deepEqual(counts, [1, 3, 1]);
  });
});
