import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import { withTypedFailures } from '../../activities/typed-failures';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

/** The failure an activity running `statement` on `url` leaves with, after the one classification point. */
async function failureOf(url: string, statement: (db: pg.Client) => Promise<unknown>): Promise<ApplicationFailure> {
  const activity = withTypedFailures({
    async run() {
      const db = new pg.Client({ connectionString: url });
      db.on('error', () => undefined);
      await db.connect();
      try {
        await statement(db);
      } finally {
        await db.end().catch(() => undefined);
      }
    },
  });
  try {
    await activity.run();
  } catch (error) {
    assert.ok(error instanceof ApplicationFailure, `an ApplicationFailure, not ${String(error)}`);
    return error;
  }
  return assert.fail('the statement should have failed');
}

describe('database errors are typed by SQLSTATE, retryable only when transient', () => {
  let db: ScratchDatabase;
  before(async () => {
    db = await scratchDatabase('sqlstate');
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`create table secret_things (id int); drop role if exists rp_no_rights_${db.name}; create role rp_no_rights_${db.name} login password 'x'`);
    await admin.end();
  });
  after(async () => {
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`drop owned by rp_no_rights_${db.name}; drop role rp_no_rights_${db.name}`).catch(() => undefined);
    await admin.end();
    await db?.drop();
  });

  it('a missing schema is SCHEMA_NOT_FOUND and a missing table TABLE_NOT_FOUND, neither retried', async () => {
    const schema = await failureOf(db.url, (c) => c.query('create table "Sales Data"."Orders" (id int)'));
    assert.deepEqual([schema.type, schema.nonRetryable], ['SCHEMA_NOT_FOUND', true]);
    assert.match(schema.message, /schema "Sales Data" does not exist \(SQLSTATE 3F000\)/);
    const table = await failureOf(db.url, (c) => c.query('select * from "Sales Data"."Orders"'));
    assert.deepEqual([table.type, table.nonRetryable], ['TABLE_NOT_FOUND', true]);
  });

  it('permission denied is PERMISSION_DENIED and bad data DATA_INVALID (without the value), neither retried', async () => {
    const url = new URL(db.url);
    url.username = `rp_no_rights_${db.name}`;
    url.password = 'x';
    const denied = await failureOf(url.toString(), (c) => c.query('select * from secret_things'));
    assert.deepEqual([denied.type, denied.nonRetryable], ['PERMISSION_DENIED', true]);
    const bad = await failureOf(db.url, (c) => c.query("select 'the-row-value'::int"));
    assert.deepEqual([bad.type, bad.nonRetryable], ['DATA_INVALID', true]);
    assert.doesNotMatch(bad.message, /the-row-value/);
  });

  it('a lost connection (57P01) and a serialization failure (40001) stay retryable', async () => {
    const lost = await failureOf(db.url, (c) => c.query('select pg_terminate_backend(pg_backend_pid())'));
    assert.deepEqual([lost.type, lost.nonRetryable], ['DATABASE_UNAVAILABLE', false]);
    const conflict = await failureOf(db.url, (c) => c.query("do $$ begin raise exception using errcode = 'serialization_failure', message = 'could not serialize'; end $$"));
    assert.deepEqual([conflict.type, conflict.nonRetryable], ['DATABASE_CONFLICT', false]);
  });

  it('errors that carry nothing to classify them are left as they are, and retried', async () => {
    const activity = withTypedFailures({ run: async () => Promise.reject(new Error('socket hang up')) });
    await assert.rejects(activity.run(), (error: Error) => !(error instanceof ApplicationFailure) && error.message === 'socket hang up');
  });

  it('a Node system error whose code looks like a SQLSTATE (EPIPE: a write to a terminated backend) is not typed a refusal, and is retried', async () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' });
    const activity = withTypedFailures({ run: async () => Promise.reject(epipe) });
    await assert.rejects(activity.run(), (error: Error) => !(error instanceof ApplicationFailure) && error.message === 'write EPIPE');
  });
});
