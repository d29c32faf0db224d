import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listSealedEntries, sealTrail, type TrailEntry } from '../../trail';
import { inTransactionAs, trackedPagila, type TrackedPagila } from './tracked-pagila';

let pagila: TrackedPagila;
let readFrom = 0;
before(async () => {
  pagila = await trackedPagila(['public']);
});
after(() => pagila.close());

/** Entries recorded since the previous call, sealed first. */
async function newEntries(): Promise<TrailEntry[]> {
  await sealTrail(pagila.client);
  const entries = await listSealedEntries(pagila.client, { after: readFrom, limit: 10_000 });
  readFrom = entries.at(-1)?.position ?? readFrom;
  return entries;
}

test('insert, update and delete are recorded with the actor the app set, in one transaction', async () => {
  await inTransactionAs(pagila.client, 'alice@app', [
    `insert into actor (actor_id, first_name, last_name) values (9001, 'ADA', 'LOVELACE')`,
    `update actor set last_name = 'BYRON' where actor_id = 9001`,
    `delete from actor where actor_id = 9001`,
  ]);
  const entries = await newEntries();
  assert.deepEqual(entries.map((e) => [e.table, e.op, e.key]), [
    ['actor', 'insert', { actor_id: 9001 }],
    ['actor', 'update', { actor_id: 9001 }],
    ['actor', 'delete', { actor_id: 9001 }],
  ]);
  assert.ok(entries.every((e) => e.actor === 'alice@app' && e.dbUser === 'postgres' && e.application === 'trail-test'));
  assert.equal(new Set(entries.map((e) => e.xid)).size, 1, 'one transaction, one xid');
  const [insert, update, remove] = entries as [TrailEntry, TrailEntry, TrailEntry];
  assert.equal(insert.oldRow, null);
  assert.equal(insert.newRow?.last_name, 'LOVELACE');
  assert.equal(update.oldRow?.last_name, 'LOVELACE');
  assert.equal(update.newRow?.last_name, 'BYRON');
  assert.equal(remove.oldRow?.last_name, 'BYRON');
  assert.equal(remove.newRow, null);
  assert.match(insert.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('without restorepoint.actor the actor falls back to the database user, with the application recorded', async () => {
  const other = await pagila.connect('backoffice');
  await other.query(`update store set manager_staff_id = manager_staff_id where store_id = 1`);
  const [entry] = await newEntries();
  assert.equal(entry?.actor, 'postgres');
  assert.equal(entry?.dbUser, 'postgres');
  assert.equal(entry?.application, 'backoffice');
});

test("Pagila's own last_update trigger fires alongside capture, and the recorded row shows its effect", async () => {
  await inTransactionAs(pagila.client, 'bob@app', [`update film set rental_rate = 1.99 where film_id = 7`]);
  const [entry] = await newEntries();
  assert.equal(entry?.op, 'update');
  assert.equal(entry?.newRow?.rental_rate, 1.99);
  assert.notEqual(entry?.newRow?.last_update, entry?.oldRow?.last_update, 'last_update was set by the BEFORE trigger');
  const { rows } = await pagila.client.query(`select last_update from film where film_id = 7`);
  assert.equal(new Date(String(entry?.newRow?.last_update)).getTime(), (rows[0] as { last_update: Date }).last_update.getTime());
});

test('changes to a partition are recorded under the partitioned root, wherever they were addressed', async () => {
  await inTransactionAs(pagila.client, 'carol@app', [
    `update payment set amount = amount + 1 where payment_id = 16050`,
    `insert into payment_p2022_02 (payment_id, customer_id, staff_id, rental_id, amount, payment_date)
       values (99001, 1, 1, 1, 5.00, '2022-02-10 10:00:00+00')`,
  ]);
  const entries = await newEntries();
  assert.deepEqual(entries.map((e) => [e.schema, e.table, e.op]), [
    ['public', 'payment', 'update'],
    ['public', 'payment', 'insert'],
  ]);
  assert.deepEqual(Object.keys(entries[0]!.key ?? {}).sort(), ['payment_date', 'payment_id']);
  assert.equal(entries[1]!.key?.payment_id, 99001);
});

test('a rolled-back transaction leaves no entry', async () => {
  await assert.rejects(inTransactionAs(pagila.client, 'dave@app', [`update film set rental_rate = 0 where film_id = 8`, `select 1/0`]));
  assert.deepEqual(await newEntries(), []);
});

test('TRUNCATE is recorded per partition emptied, under the root', async () => {
  await inTransactionAs(pagila.client, 'erin@app', [`truncate payment_p2022_07`]);
  const single = await newEntries();
  assert.deepEqual(single.map((e) => [e.table, e.op, e.partition, e.actor]), [['payment', 'truncate', 'public.payment_p2022_07', 'erin@app']]);
  await inTransactionAs(pagila.client, 'erin@app', [`truncate payment`]);
  const all = await newEntries();
  assert.equal(all.length, 7);
  assert.ok(all.every((e) => e.table === 'payment' && e.op === 'truncate' && e.key === null));
  assert.deepEqual(all.map((e) => e.partition).sort(), Array.from({ length: 7 }, (_, i) => `public.payment_p2022_0${i + 1}`));
});
