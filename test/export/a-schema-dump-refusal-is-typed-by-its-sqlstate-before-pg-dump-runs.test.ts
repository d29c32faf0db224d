import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import { withTypedFailures } from '../../activities/typed-failures';
import { checkSchemaDumpable } from '../../postgres/dump-preflight';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from './harness';

/**
 * Issue 11 item 6 leftover: "pg_dump failures are classified from their text". The schema
 * dump's known refusals are now asked through node-postgres before pg_dump runs
 * (postgres/dump-preflight.ts), so they reach the one classifier with their SQLSTATE: a
 * missing schema is SCHEMA_NOT_FOUND naming it, a table pg_dump may not lock
 * PERMISSION_DENIED naming it, both non-retryable.
 */
describe('a schema dump refusal is typed by its SQLSTATE before pg_dump runs', () => {
  let db: ScratchDatabase;
  let role: string;
  let roleUrl: string;
  let w: ExportWorld;

  before(async () => {
    db = await scratchDatabase('dumpcheck');
    role = `rp_dump_${db.name}`;
    await sql(
      db.url,
      `create role ${role} login password 'dump'`,
      `create schema app authorization ${role}`,
      // The role owns what it exports; "Hidden" of the same schema is not its to lock.
      'create table app."Hidden" (id int)',
      `set role ${role}`,
      'create table app.orders (id int primary key)',
      'insert into app.orders values (1), (2)',
      'reset role',
    );
    const url = new URL(db.url);
    url.username = role;
    url.password = 'dump';
    roleUrl = url.toString();
    w = await exportWorld({ app: roleUrl });
  });
  after(async () => {
    await w?.close();
    await db?.drop();
    await sql(db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), `drop role if exists ${role}`).catch(() => undefined);
  });

  /** The failure the activity wrapper makes of `checkSchemaDumpable` on `url`, in a transaction. */
  async function preflightFailure(url: string, schemas: readonly string[]): Promise<ApplicationFailure> {
    const activity = withTypedFailures({
      async run() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query('begin isolation level repeatable read read only');
          await checkSchemaDumpable(client, { partial: true, schemas, extensions: [] });
        } finally {
          await client.end();
        }
      },
    });
    const error = await rejectionOf(activity.run());
    assert.ok(error instanceof ApplicationFailure, String(error));
    return error;
  }

  it('a missing schema is SCHEMA_NOT_FOUND naming it, with its SQLSTATE, not retried', async () => {
    const failure = await preflightFailure(db.url, ['app', 'Gone Schema']);
    assert.deepEqual([failure.type, failure.nonRetryable], ['SCHEMA_NOT_FOUND', true]);
    assert.match(failure.message, /schema "Gone Schema" does not exist \(SQLSTATE 3F000\)/);
  });

  it('a table the role may not lock is PERMISSION_DENIED naming it, with its SQLSTATE, not retried', async () => {
    const failure = await preflightFailure(roleUrl, ['app']);
    assert.deepEqual([failure.type, failure.nonRetryable], ['PERMISSION_DENIED', true]);
    assert.match(failure.message, /permission denied for table "?Hidden"? \(SQLSTATE 42501\)/);
  });

  it('an export whose schema dump would be refused fails PERMISSION_DENIED by SQLSTATE, not from pg_dump’s text', async () => {
    const failure = failureOf(await rejectionOf(w.exportNow({ exportId: 'dump-denied', source: 'app', destination: `gs://restorepoint-dumpcheck-${process.pid}/x`, schemas: ['app'], exclude: ['app.Hidden'] })));
    assert.equal(failure.type, 'PERMISSION_DENIED', failure.message);
    assert.match(failure.message, /permission denied for table "?Hidden"? \(SQLSTATE 42501\)/);
    assert.doesNotMatch(failure.message, /pg_dump/);
  });

  it('a scope it may dump passes and leaves no lock behind', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('begin isolation level repeatable read read only');
      await checkSchemaDumpable(client, { partial: false, schemas: [], extensions: [] });
      const held = await client.query<{ n: number }>(`select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation where l.pid = pg_backend_pid() and c.relname in ('orders', 'Hidden')`);
      assert.equal(held.rows[0]!.n, 0);
    } finally {
      await client.end();
    }
  });
});
