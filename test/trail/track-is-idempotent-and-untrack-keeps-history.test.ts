import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isRestorepointError } from '../../core/errors';
import { listSealedEntries, sealTrail, trackTables, trailStatus, untrackTables } from '../../trail';
import { trackedPagila, type TrackedPagila } from './tracked-pagila';

let pagila: TrackedPagila;
before(async () => {
  pagila = await trackedPagila([]);
});
after(() => pagila.close());

async function captureTriggers(): Promise<string[]> {
  const { rows } = await pagila.client.query<{ on: string }>(
    `select tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text as on from pg_trigger
      where tgname like 'restorepoint_trail_%' order by 1`,
  );
  return rows.map((r) => r.on);
}

test('tracking twice installs each trigger once and records each change once', async () => {
  const tracked = await trackTables(pagila.client, ['public.film', 'payment']);
  assert.deepEqual(tracked.map((t) => `${t.schema}.${t.name}`), ['public.film', 'public.payment']);
  const once = await captureTriggers();
  await trackTables(pagila.client, ['film', 'public.payment']);
  assert.deepEqual(await captureTriggers(), once);
  // film: row trigger and TRUNCATE trigger; payment: the row trigger on the root, its clones, and TRUNCATE on each leaf.
  assert.equal(once.filter((t) => t.startsWith('film ')).length, 2);
  assert.equal(once.filter((t) => t.startsWith('payment_p2022_01 ')).length, 2);
  assert.ok(once.every((t) => t.endsWith(' A')), 'every trigger is ENABLE ALWAYS');

  await pagila.client.query(`update film set length = length + 1 where film_id = 1`);
  await sealTrail(pagila.client);
  assert.equal((await listSealedEntries(pagila.client, { after: 0 })).length, 1);
});

test('status lists tracked tables with their key columns', async () => {
  const status = await trailStatus(pagila.client);
  assert.ok(status.installed);
  assert.deepEqual(
    status.tables.map((t) => [t.schema, t.name, t.keyColumns, t.keyChanged, t.captureAlways, t.truncateUncaptured]),
    [
      ['public', 'film', ['film_id'], false, true, []],
      ['public', 'payment', ['payment_date', 'payment_id'], false, true, []],
    ],
  );
  assert.equal(status.head?.position, 1);
  assert.equal(status.unsealed, 0);
});

test('status flags a disabled capture trigger, on a partition too, and a leaf whose TRUNCATE is not captured', async () => {
  await pagila.client.query('begin');
  await pagila.client.query('alter table payment_p2022_03 disable trigger restorepoint_trail_capture');
  await pagila.client.query('drop trigger restorepoint_trail_truncate on payment_p2022_04');
  const status = await trailStatus(pagila.client);
  await pagila.client.query('rollback');
  assert.ok(status.installed);
  const payment = status.tables.find((t) => t.name === 'payment');
  assert.equal(payment?.captureAlways, false);
  assert.deepEqual(payment?.truncateUncaptured, ['public.payment_p2022_04']);
  assert.equal(status.tables.find((t) => t.name === 'film')?.captureAlways, true);
});

test('session_replication_role = replica does not bypass capture', async () => {
  await pagila.client.query(`begin; set local session_replication_role = replica; update film set length = length + 1 where film_id = 2; commit`);
  await sealTrail(pagila.client);
  const entries = await listSealedEntries(pagila.client, { after: 1 });
  assert.deepEqual(entries.map((e) => e.key), [{ film_id: 2 }]);
});

test('a table without a primary key is refused, and nothing is tracked', async () => {
  await pagila.client.query('create table public.notes (body text)');
  const before = await captureTriggers();
  await assert.rejects(trackTables(pagila.client, ['actor', 'notes']), (error) => isRestorepointError(error) && error.code === 'NO_PRIMARY_KEY');
  assert.deepEqual(await captureTriggers(), before);
});

test('a partition is refused with the name of its root, and the trail schema cannot be tracked', async () => {
  await assert.rejects(trackTables(pagila.client, ['payment_p2022_01']), /partition of public\.payment: track public\.payment/);
  await assert.rejects(trackTables(pagila.client, ['restorepoint_trail.change']), /cannot be tracked/);
  await assert.rejects(trackTables(pagila.client, ['no_such_table']), (error) => isRestorepointError(error) && error.code === 'TABLE_NOT_FOUND');
});

test('untracking stops capture and keeps the history', async () => {
  await untrackTables(pagila.client, ['film', 'payment']);
  assert.deepEqual(await captureTriggers(), []);
  await pagila.client.query(`update film set length = length + 1 where film_id = 3`);
  await sealTrail(pagila.client);
  assert.equal((await listSealedEntries(pagila.client, { after: 0 })).length, 2);
  const status = await trailStatus(pagila.client);
  assert.ok(status.installed && status.tables.length === 0);
});
