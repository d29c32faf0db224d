import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openCatalog } from '../../catalog/catalog-db';
import { listLedger } from '../../catalog/ledger';
import { startRollback } from '../../client/rollbacks';
import { rollbackWorkflowId, type RollbackRequest } from '../../core/rollback/rollback-input';
import type { RollbackStatus } from '../../core/rollback/rollback-state';
import { asPredicateRole, predicateRole, predicateRoleName } from '../../postgres/predicate-role';
import { rollbackStatusQuery } from '../../workflows/rollback-messages';
import { failureCode } from '../incremental/failure-code';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import { testStack, type ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, type RollbackWorld } from './rollback-world';

/**
 * Issue 18: a `--where` predicate ran any function with the source connection's rights
 * during prepare (pg_terminate_backend killed a session, dblink_exec updated a table,
 * lo_import made large objects, pg_sleep stalled, and pg_read_file('/etc/passwd') came back
 * in the error text, the ledger, the log and workflow history).
 */
describe('hostile row predicates are refused before they run, typed, and change nothing', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  let exportId: string;
  let bystander: pg.Client;
  let dblink = false;
  const firstPasswdLine = fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;

  before(async () => {
    db = await pagilaDatabase('rollback');
    dblink = (await sql(db.url, "select 1 from pg_available_extensions where name = 'dblink'")).rowCount === 1;
    if (dblink) await sql(db.url, 'create extension dblink');
    await sql(db.url, "create table public.evil_calls (at timestamptz); create function public.rp_evil() returns int language sql as 'select 1'");
    bystander = new pg.Client({ connectionString: db.url, application_name: 'bystander' });
    bystander.on('error', () => undefined);
    await bystander.connect();
    rw = await startRollbackWorld(db.url);
    exportId = await rw.exportApp();
  });
  after(async () => {
    await bystander?.end().catch(() => undefined);
    await rw?.close();
    await db?.drop();
    // Roles are cluster-wide; with the database gone, this one's predicate roles hold nothing and can go.
    for (const name of ['film', 'staff']) await sql(testStack().postgres.adminUrl, `drop role if exists ${predicateRoleName(db.name, { schema: 'public', name })}`);
  });

  /** Starts the workflow directly (no client-side checks): the worker is the wall being tested. */
  async function refusedInWorker(id: string, where: string): Promise<{ message: string; status: RollbackStatus; history: string }> {
    const input: RollbackRequest = { rollbackId: id, source: 'app', target: { exportId }, tables: ['film'], where: { film: where }, requestedBy: 'mallory', reason: 'probe' };
    const handle = await rw.client.temporal.workflow.start('rollbackWorkflow', { taskQueue: rw.client.taskQueue, workflowId: rollbackWorkflowId(id), args: [input, { credential: await rw.client.credential('mallory') }] });
    const message = await failureCode(handle.result());
    const status = await handle.query(rollbackStatusQuery);
    const history = JSON.stringify(await handle.fetchHistory());
    return { message, status, history };
  }

  it('refuses each one by name in prepare, before any query, with nothing run or changed', async () => {
    const untouched = await databaseFingerprint(db.url);
    const pid = (await bystander.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const cases: readonly (readonly [string, string, RegExp])[] = [
      ['terminate', `pg_terminate_backend(${pid}) or rating = 'PG'`, /calls pg_terminate_backend\(\), which is not an allowed built-in function/],
      ...(dblink ? [['dblink', "dblink_exec('dbname=' || current_database(), 'update film set rental_rate = 0') = 'UPDATE'", /calls dblink_exec\(\)/] as const] : []),
      ['lo-import', "lo_import('/etc/passwd') > 0", /calls lo_import\(\)/],
      ['read-file', "length(pg_read_file('/etc/passwd')) > 0", /calls pg_read_file\(\)/],
      ['sleep', "pg_sleep(30) is null and rating = 'PG'", /calls pg_sleep\(\)/],
      ['other-table', 'film_id in (select film_id from inventory where store_id = 1)', /has a subquery/],
      ['set-returning', 'film_id = generate_series(1, 10)', /calls generate_series\(\)/],
      ['user-function', 'rp_evil() = 1', /calls rp_evil\(\)/],
      ['user-function-qualified', 'film_id = public.rp_evil()', /calls public\.rp_evil\(\)/],
      ['qualified-operator', 'film_id OPERATOR(public.=) 1', /schema-qualified operator/],
      ['comment', "rating = 'PG' -- and length > 90", /comment "--"/],
      ['block-comment', "rating = 'PG' /* x */", /comment "\/\*"/],
      ['semicolon', "rating = 'PG'; select pg_sleep(30)", /statement separator/],
    ];
    for (const [name, where, why] of cases) {
      const { message, status, history } = await refusedInWorker(`hostile-${name}`, where);
      assert.match(message, /^ROLLBACK_SCOPE_INVALID: the row predicate for public\.film/, name);
      assert.match(message, why, name);
      assert.equal(status.stage, 'failed', name);
      assert.ok(!history.includes(firstPasswdLine), `${name}: /etc/passwd in history`);
    }
    // The client refuses the text-check cases before a workflow exists, typed too.
    for (const where of ["rating = 'PG' -- x", "rating = 'PG'; select 1"]) {
      await assert.rejects(startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['film'], where: { film: where }, requestedBy: 'mallory', reason: 'probe' }), (e: Error & { code?: string }) => e.code === 'ROLLBACK_SCOPE_INVALID');
    }

    assert.deepEqual(await databaseFingerprint(db.url), untouched);
    assert.equal((await bystander.query('select 1 as alive')).rows[0].alive, 1, 'the other session was not terminated');
    assert.equal(Number((await sql(db.url, 'select count(*) from pg_largeobject_metadata')).rows[0].count), 0, 'no large object was imported');
    assert.equal((await sql(db.url, "select 1 from pg_namespace where nspname like 'rp\\_%'")).rowCount, 0, 'no staging schema left');
    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const entries = await listLedger(catalog, {});
      assert.ok(!JSON.stringify(entries).includes(firstPasswdLine), '/etc/passwd in the ledger');
    } finally {
      await catalog.destroy();
    }
  });

  it('refuses a predicate on a table with row-level security (its policies would silently shrink the scope)', async () => {
    await sql(db.url, 'alter table public.staff enable row level security');
    try {
      const input: RollbackRequest = { rollbackId: 'hostile-rls', source: 'app', target: { exportId }, tables: ['staff'], where: { staff: 'active' }, requestedBy: 'mallory', reason: 'probe' };
      const handle = await rw.client.temporal.workflow.start('rollbackWorkflow', { taskQueue: rw.client.taskQueue, workflowId: rollbackWorkflowId('hostile-rls'), args: [input, { credential: await rw.client.credential('mallory') }] });
      assert.match(await failureCode(handle.result()), /^ROLLBACK_SCOPE_INVALID: .*public\.staff.*row-level security/);
    } finally {
      await sql(db.url, 'alter table public.staff disable row level security');
    }
  });

  it('never puts a value the predicate read into the error, the status, the ledger or history', async () => {
    // Allowed by the parser, but the cast fails at run time on a row; PostgreSQL's message would quote the title.
    const { message, status, history } = await refusedInWorker('hostile-cast', "title::int > 0 and rating = 'PG'");
    assert.match(message, /^ROLLBACK_SCOPE_INVALID: .*failed while picking rows: SQLSTATE 22P02 \(the database's message is not shown/);
    const titles = (await sql(db.url, 'select title from film')).rows.map((r) => r.title as string);
    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const ledger = JSON.stringify(await listLedger(catalog, { subject: 'hostile-cast' }));
      for (const text of [message, status.outcome ?? '', history, ledger]) {
        const leaked = titles.find((title) => text.includes(title));
        assert.equal(leaked, undefined, `a film title (${leaked}) leaked`);
      }
    } finally {
      await catalog.destroy();
    }
  });

  it('evaluates as a role that can read only its table: other tables, files, large objects, backends and writes are out of reach', async () => {
    const db2 = new pg.Client({ connectionString: db.url });
    await db2.connect();
    try {
      const role = await predicateRole(db2, { schema: 'public', name: 'film' });
      assert.equal(await predicateRole(db2, { schema: 'public', name: 'film' }), role, 'idempotent');
      const attrs = (await db2.query('select rolcanlogin, rolsuper, rolinherit from pg_roles where rolname = $1', [role])).rows[0];
      assert.deepEqual(attrs, { rolcanlogin: false, rolsuper: false, rolinherit: false });
      const run = (text: string) => asPredicateRole(db2, role, { timeout: '5s' }, () => db2.query(text));
      assert.equal(Number((await run("select count(*) from public.film where rating = 'PG'")).rows[0].count) > 0, true);
      const pid = (await bystander.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      for (const [text, code] of [
        ['select count(*) from public.customer', '42501'],
        ["select pg_read_file('/etc/passwd')", '42501'],
        ["select lo_import('/etc/passwd')", '42501'],
        [`select pg_terminate_backend(${pid})`, '42501'],
        ['create table public.x (a int)', '25006'],
        ['select pg_sleep(10)', '57014'],
      ] as const) {
        await assert.rejects(asPredicateRole(db2, role, { timeout: '1s' }, () => db2.query(text)), (e: { code?: string }) => e.code === code, text);
      }
      assert.equal((await db2.query('select current_user as u')).rows[0].u, 'postgres', 'the role ends with the transaction');
      assert.equal((await bystander.query('select 1 as alive')).rows[0].alive, 1);
    } finally {
      await db2.end();
    }
  });
});
