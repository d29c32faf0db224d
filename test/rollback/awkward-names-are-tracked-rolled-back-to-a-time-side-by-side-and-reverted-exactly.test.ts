import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { rollbackHandle } from '../../client/rollbacks';
import type { RollbackStatus } from '../../core/rollback/rollback-state';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { databaseNow, pause } from '../point-in-time/chain-world';
import { runCli, worldCliEnv, type CliResult } from '../support/cli';
import { tokenFor } from '../support/identity';
import { predicateRoleName } from '../../postgres/predicate-role';
import { scratchDatabase, testStack, type ScratchDatabase } from '../support/stack';
import { inTransactionAs } from '../trail/tracked-pagila';
import { sql, startRollbackWorld, type RollbackWorld } from './rollback-world';

const SCHEMA = 'Sales Data';
/** The awkward-names rollback test's table: a dot in the name, a space, a quote and unicode in its columns. */
const LINES = '"Sales Data"."Order.Lines"';
/** 63 bytes, PostgreSQL's longest name (61 characters: "Ü" and "ï" take two bytes each), keyed by a reserved word. */
const LONG_NAME = 'Adjustments to Order.Lines made by the Warehouse Team: Q4 Ünï';
const LONG = `"Sales Data"."${LONG_NAME}"`;
/** Its twin: the two differ only after their first 54 bytes, which is all a prefixed staging name (`rp_keys__…`) could keep whole. */
const TWIN_NAME = LONG_NAME.replace('Q4', 'Q3');
const TWIN = `"Sales Data"."${TWIN_NAME}"`;

/** Each table's fingerprint in `schema`, keyed by the table's name alone so a copy compares with its original. */
async function tables(url: string, schema: string): Promise<Record<string, string>> {
  const all = await databaseFingerprint(url, [schema]);
  return Object.fromEntries(Object.entries(all).filter(([key]) => key.startsWith('table ')).map(([key, value]) => [key.slice(`table ${schema}.`.length), value]));
}

/**
 * Issue 11 item 2 for the change trail and what is built on it: a schema with a space, a table
 * with a dot, another of 63 bytes keyed by `"select"`, tracked, exported full and as a delta,
 * then rolled back to a moment side by side and in place, restored side by side, and one
 * actor's changes reverted — each through the CLI, each equal by table fingerprint to the state
 * it promises, and each undone back to the accident.
 */
describe('awkward names are tracked, rolled back to a point in time, loaded side by side and reverted exactly', () => {
  let db: ScratchDatabase;
  let client: pg.Client;
  let rw: RollbackWorld;
  let fullId: string;
  let deltaId: string;
  let at: string;
  let atExport: Record<string, string>;
  let atT: Record<string, string>;
  let afterAccident: Record<string, string>;

  before(async () => {
    assert.equal(Buffer.byteLength(LONG_NAME), 63);
    db = await scratchDatabase('rbawkwardtime');
    await sql(db.url, `create schema "Sales Data";
      create table ${LINES} ("Line Id" int primary key, "Quantity" int not null, "unit price" numeric(12,2), "a""b" text, "ünï" text);
      insert into ${LINES} select g, g, g * 1.25, 'ab' || g, case when g % 4 = 0 then 'Ω' else 'ß' || g end from generate_series(1, 12) g;
      create table ${LONG} ("select" int primary key, "from" text not null, "Line Id" int);
      insert into ${LONG} select g, 'dock ' || g, g from generate_series(1, 6) g;
      create table ${TWIN} ("select" int primary key, "from" text not null, "Line Id" int);
      insert into ${TWIN} select g, 'shelf ' || g, g from generate_series(1, 3) g`);
    rw = await startRollbackWorld(db.url);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  after(async () => {
    await client?.end();
    await rw?.close();
    await db?.drop();
    // Roles are cluster-wide; with the database gone, its predicate role holds nothing and can go.
    await sql(testStack().postgres.adminUrl, `drop role if exists ${predicateRoleName(db.name, { schema: SCHEMA, name: LONG_NAME })}`);
  });

  const cli = (...args: string[]): Promise<CliResult> => runCli(worldCliEnv(rw.world), args);
  const cliAs = async (subject: string, ...args: string[]): Promise<CliResult> => runCli({ ...worldCliEnv(rw.world), RESTOREPOINT_TOKEN: await tokenFor(subject) }, args);

  /** Approves from the CLI as bob, waits for the end, and checks it applied and validated. */
  async function approve(id: string): Promise<RollbackStatus> {
    const approved = await cliAs('bob', 'rollback', 'approve', id, '--comment', 'checked');
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    const done = await rollbackHandle(rw.client, id).result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.equal(done.validation!.ok, true);
    return done;
  }

  /** Undoes a finished rollback from the CLI, approved as carol: the tables are as they were before it (by default the accident). */
  async function undo(id: string, expected = afterAccident): Promise<void> {
    const started = await cli('rollback', 'undo', id, '--requested-by', 'alice', '--reason', 'back to the accident', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    const undoId = (JSON.parse(started.stdout) as { rollbackId: string }).rollbackId;
    const handle = rollbackHandle(rw.client, undoId);
    for (let status = await handle.status(); status.stage !== 'awaiting-approval'; status = await handle.status()) {
      assert.ok(!['done', 'failed', 'rejected', 'compensated', 'cancelled'].includes(status.stage), status.outcome ?? status.stage);
      await pause(200);
    }
    const approved = await cliAs('carol', 'rollback', 'approve', undoId, '--comment', 'undo');
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    const undone = await handle.result();
    assert.equal(undone.stage, 'done', undone.outcome ?? '');
    assert.deepEqual(await tables(db.url, SCHEMA), expected);
  }

  it('track names both tables and records their changes under their exact names', async () => {
    const tracked = await cli('track', '--source', 'app', '"Sales Data"', '--json');
    assert.equal(tracked.code, 0, tracked.stderr + tracked.stdout);
    assert.match(tracked.stdout, /Order\.Lines/);
    assert.ok(tracked.stdout.includes(JSON.stringify(LONG_NAME).slice(1, -1)), tracked.stdout);

    fullId = await rw.exportApp();
    atExport = await tables(db.url, SCHEMA);
    await inTransactionAs(client, 'clerk@app', [
      `update ${LINES} set "Quantity" = "Quantity" + 10 where "Line Id" <= 3`,
      `delete from ${LINES} where "Line Id" = 5`,
      `insert into ${LINES} values (50, 5, 9.99, 'a"b', 'ünï')`,
      `insert into ${LONG} values (7, 'dock 7', 50)`,
    ]);
    deltaId = await rw.exportApp('incremental');
    await inTransactionAs(client, 'clerk@app', [`update ${LINES} set "a""b" = 'edited' where "Line Id" = 6`, `update ${LONG} set "from" = 'moved' where "select" = 2`]);
    await pause(20);
    at = await databaseNow(client);
    atT = await tables(db.url, SCHEMA);
    await pause(20);
    await inTransactionAs(client, 'intern@app', [
      `update ${LINES} set "unit price" = 0`,
      `delete from ${LINES} where "Line Id" in (2, 4)`,
      `insert into ${LINES} values (99, 99, 1, 'ab3', 'Ω')`,
      `update ${LONG} set "from" = 'lost' where "select" <= 3`,
      `delete from ${LONG} where "select" = 6`,
    ]);
    afterAccident = await tables(db.url, SCHEMA);

    const { rows } = await client.query<{ table_name: string; n: number }>(
      `select table_name, count(*)::int as n from restorepoint_trail.change where schema_name = $1 group by 1 order by 1`,
      [SCHEMA],
    );
    assert.deepEqual(rows, [{ table_name: LONG_NAME, n: 1 + 1 + 3 + 1 }, { table_name: 'Order.Lines', n: 3 + 1 + 1 + 1 + 12 + 2 + 1 }]);
  });

  it('restore --schema loads the full export side by side into a schema named as awkwardly, equal to the tables as they were exported', async () => {
    // Any name PostgreSQL keeps as written is a target; one it would cut or reserves is bad usage.
    for (const refused of ['x'.repeat(64), 'pg_copy']) assert.equal((await cli('restore', fullId, '--target', 'app', '--schema', refused)).code, 2, refused);
    const restored = await cli('restore', fullId, '--target', 'app', '--schema', 'Sales Copy', '--json');
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);
    assert.deepEqual(await tables(db.url, 'Sales Copy'), atExport);
    assert.deepEqual(await tables(db.url, SCHEMA), afterAccident);
  });

  it('a rollback to the moment side by side loads both tables as they were then and leaves live data alone', async () => {
    const started = await cli('rollback', 'start', '--source', 'app', '--at', at, '--tables', `${LINES},${LONG}`, '--side-by-side', 'As Of T', '--reason', 'look first', '--requested-by', 'alice', '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    const status = JSON.parse(started.stdout) as RollbackStatus;
    assert.equal(status.stage, 'done', status.outcome ?? '');
    assert.deepEqual([status.restorePoint?.baseExportId, status.restorePoint?.deltaExportIds], [fullId, [deltaId]]);
    assert.deepEqual(await tables(db.url, 'As Of T'), { 'Order.Lines': atT['Order.Lines'], [LONG_NAME]: atT[LONG_NAME] });
    assert.deepEqual(await tables(db.url, SCHEMA), afterAccident);
  });

  it('trail status and verify name the tables exactly, and reconstruct --schema rebuilds them as they were at the moment', async () => {
    const status = await cli('trail', 'status', '--source', 'app', '--json');
    assert.equal(status.code, 0, status.stderr + status.stdout);
    const tracked = (JSON.parse(status.stdout) as { tables: { schema: string; name: string; keyColumns: string[] }[] }).tables;
    assert.deepEqual(tracked.map((t) => [t.schema, t.name, t.keyColumns]), [[SCHEMA, TWIN_NAME, ['select']], [SCHEMA, LONG_NAME, ['select']], [SCHEMA, 'Order.Lines', ['Line Id']]]);
    const verified = await cli('trail', 'verify', '--source', 'app', '--json');
    assert.equal(verified.code, 0, verified.stderr + verified.stdout);

    const rebuilt = await cli('reconstruct', '--source', 'app', '--at', at, '--target', 'app', '--schema', 'Then: Rebuilt', '--tables', `${LINES},${LONG}`, '--json');
    assert.equal(rebuilt.code, 0, rebuilt.stderr + rebuilt.stdout);
    assert.deepEqual(await tables(db.url, 'Then: Rebuilt'), { 'Order.Lines': atT['Order.Lines'], [LONG_NAME]: atT[LONG_NAME] });
  });

  it("a revert of the intern's changes previews them by table, puts back the state at the moment, and undoes", async () => {
    const started = await cli('revert', '--source', 'app', '--actor', 'intern@app', '--snapshot-to', `file://${rw.folder}`, '--reason', 'intern ran the wrong script', '--requested-by', 'alice', '--id', 'awkward-revert', '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    const waiting = JSON.parse(started.stdout) as RollbackStatus;
    assert.equal(waiting.stage, 'awaiting-approval', waiting.outcome ?? '');
    const counts = Object.fromEntries(waiting.preview!.tables.map((t) => [t.table, [t.inserts, t.updates, t.deletes]]));
    // A revert counts the inverse changes it replays: lines 2 and 4 are put back and their price set back too.
    assert.deepEqual(counts, { 'Sales Data.Order.Lines': [2, 12, 1], [`Sales Data.${LONG_NAME}`]: [1, 3, 0] });
    await approve('awkward-revert');
    assert.deepEqual(await tables(db.url, SCHEMA), atT);
    await undo('awkward-revert');
  });

  it('a rollback to the moment in place previews exactly the accident, puts back the state at the moment, and undoes', async () => {
    const started = await cli('rollback', 'start', '--source', 'app', '--at', at, '--tables', `${LINES},${LONG}`, '--reason', 'INC-11', '--requested-by', 'alice', '--id', 'awkward-at', '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    const waiting = JSON.parse(started.stdout) as RollbackStatus;
    assert.equal(waiting.stage, 'awaiting-approval', waiting.outcome ?? '');
    const counts = Object.fromEntries(waiting.preview!.tables.map((t) => [t.table, [t.inserts, t.updates, t.deletes]]));
    assert.deepEqual(counts, { 'Sales Data.Order.Lines': [2, 10, 1], [`Sales Data.${LONG_NAME}`]: [1, 3, 0] });
    await approve('awkward-at');
    assert.deepEqual(await tables(db.url, SCHEMA), atT);
    await undo('awkward-at');
  });

  it('--keys on two 63-byte tables whose names differ only at the end stages each apart, puts back the chosen rows, and undoes', async () => {
    await sql(db.url, `update ${TWIN} set "from" = 'gone' where "select" in (1, 2)`);
    const beforeRollback = await tables(db.url, SCHEMA);
    const keys = JSON.stringify({ [LONG]: [{ select: 2 }], [TWIN]: [{ select: 1 }] });
    const started = await cli('rollback', 'start', '--source', 'app', '--export', fullId, '--tables', `${LONG},${TWIN}`, '--keys', keys, '--reason', 'two rows', '--requested-by', 'alice', '--id', 'awkward-twins', '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    const waiting = JSON.parse(started.stdout) as RollbackStatus;
    assert.equal(waiting.stage, 'awaiting-approval', waiting.outcome ?? '');
    const counts = Object.fromEntries(waiting.preview!.tables.map((t) => [t.table, [t.inserts, t.updates, t.deletes, t.narrowedTo?.keys]]));
    assert.deepEqual(counts, { [`Sales Data.${LONG_NAME}`]: [0, 1, 0, 1], [`Sales Data.${TWIN_NAME}`]: [0, 1, 0, 1] });
    await approve('awkward-twins');
    const rows = async (table: string) => (await sql(db.url, `select "select", "from" from ${table} order by 1`)).rows.map((r) => `${r.select}:${r.from}`);
    assert.deepEqual(await rows(LONG), ['1:lost', '2:dock 2', '3:lost', '4:dock 4', '5:dock 5', '7:dock 7']);
    assert.deepEqual(await rows(TWIN), ['1:shelf 1', '2:gone', '3:shelf 3']);
    await undo('awkward-twins', beforeRollback);
  });

  it('a rollback to the moment narrowed by --keys and by --where on quoted reserved-word columns puts back only those rows, and undoes', async () => {
    const beforeRollback = await tables(db.url, SCHEMA);
    const keys = JSON.stringify({ [LINES]: [{ 'Line Id': 2 }] });
    const started = await cli('rollback', 'start', '--source', 'app', '--at', at, '--tables', `${LINES},${LONG}`, '--keys', keys, '--where', `${LONG}="select" in (1, 6) and "from" <> 'x=y'`, '--reason', 'two tables, some rows', '--requested-by', 'alice', '--id', 'awkward-at-narrowed', '--wait', '--json');
    assert.equal(started.code, 0, started.stderr + started.stdout);
    const waiting = JSON.parse(started.stdout) as RollbackStatus;
    assert.equal(waiting.stage, 'awaiting-approval', waiting.outcome ?? '');
    const counts = Object.fromEntries(waiting.preview!.tables.map((t) => [t.table, [t.inserts, t.updates, t.deletes, t.narrowedTo?.keys]]));
    assert.deepEqual(counts, { 'Sales Data.Order.Lines': [1, 0, 0, 1], [`Sales Data.${LONG_NAME}`]: [1, 1, 0, 2] });
    await approve('awkward-at-narrowed');
    // The side-by-side copy of the moment (an earlier case) holds the rows as they were then.
    const rowsOf = async (schema: string, table: string, where: string) => (await sql(db.url, `select t::text as row from "${schema}"."${table}" t where ${where} order by 1`)).rows.map((r) => r.row as string);
    assert.deepEqual(await rowsOf(SCHEMA, 'Order.Lines', `"Line Id" = 2`), await rowsOf('As Of T', 'Order.Lines', `"Line Id" = 2`));
    assert.deepEqual(await rowsOf(SCHEMA, LONG_NAME, `"select" in (1, 6)`), await rowsOf('As Of T', LONG_NAME, `"select" in (1, 6)`));
    assert.deepEqual(await rowsOf(SCHEMA, LONG_NAME, `"select" in (2, 3)`), [`(2,lost,2)`, `(3,lost,3)`], 'rows outside the predicate keep the accident');
    assert.equal((await rowsOf(SCHEMA, 'Order.Lines', `"Line Id" = 4`)).length, 0, 'line 4 is outside the keys and stays deleted');
    await undo('awkward-at-narrowed', beforeRollback);
  });
});
