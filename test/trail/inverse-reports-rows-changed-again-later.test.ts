import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { planInverse, renderInverseSql } from '../../trail';
import { applyInverse, inTransactionAs, trackedPagila, type TrackedPagila } from './tracked-pagila';

let pagila: TrackedPagila;
before(async () => {
  pagila = await trackedPagila(['film', 'customer', 'payment']);
});
after(() => pagila.close());

test('a row updated again by someone else is a conflict naming the later change; other rows are not', async () => {
  await inTransactionAs(pagila.client, 'alice@app', [`update film set rental_rate = 9.99 where film_id in (10, 11)`]);
  await inTransactionAs(pagila.client, 'bob@app', [`update film set title = 'RENAMED' where film_id = 10`]);
  const plan = await planInverse(pagila.client, { actor: 'alice@app' });
  assert.equal(plan.operations.length, 2);
  assert.equal(plan.conflicts.length, 1);
  const [conflict] = plan.conflicts;
  assert.equal(conflict!.reason, 'changed later');
  assert.deepEqual(conflict!.entry.key, { film_id: 10 });
  assert.equal(conflict!.laterEntry?.actor, 'bob@app');
  assert.ok(conflict!.laterEntry!.position! > conflict!.entry.position!);

  // Applied anyway, the statement for film 10 finds the row no longer as alice left it and touches nothing.
  await assert.rejects(applyInverse(pagila.client, renderInverseSql(plan), 'rollback@restorepoint'), /touched 0 rows, expected 1/);
});

test('undoing both changes together is no conflict', async () => {
  const plan = await planInverse(pagila.client, { tables: ['public.film'] });
  assert.equal(plan.selected, 3);
  assert.deepEqual(plan.conflicts, []);
});

test('a key re-used after a delete, and a table truncated later, are conflicts', async () => {
  await inTransactionAs(pagila.client, 'carol@app', [
    `insert into customer (customer_id, store_id, first_name, last_name, address_id) values (9001, 1, 'TEMP', 'ROW', 1)`,
    `update payment set amount = amount + 1 where payment_id = 16050`,
  ]);
  await inTransactionAs(pagila.client, 'carol@app', [`delete from customer where customer_id = 9001`]);
  await inTransactionAs(pagila.client, 'dan@app', [
    `insert into customer (customer_id, store_id, first_name, last_name, address_id) values (9001, 1, 'NEW', 'OWNER', 1)`,
    `truncate payment_p2022_01`,
  ]);
  const plan = await planInverse(pagila.client, { actor: 'carol@app' });
  assert.deepEqual(
    plan.conflicts.map((c) => [c.entry.table, c.reason, c.laterEntry?.actor]),
    [
      ['customer', 'changed later', 'dan@app'],
      ['customer', 'changed later', 'dan@app'],
      ['payment', 'truncated later', 'dan@app'],
    ],
  );
});

test('a truncate cannot be undone, and a timestamptz key written from another time zone is still the same row', async () => {
  await inTransactionAs(pagila.client, 'erin@app', [`set local timezone = 'UTC'`, `update payment set amount = 1 where payment_id = 17000`]);
  await inTransactionAs(pagila.client, 'frank@app', [`set local timezone = 'Asia/Kolkata'`, `update payment set amount = 2 where payment_id = 17000`, `truncate payment_p2022_07`]);
  const erin = await planInverse(pagila.client, { actor: 'erin@app' });
  assert.deepEqual(erin.conflicts.map((c) => [c.reason, c.laterEntry?.actor]), [['changed later', 'frank@app']]);
  const frank = await planInverse(pagila.client, { actor: 'frank@app' });
  assert.deepEqual(frank.conflicts.map((c) => c.reason), ['cannot undo a truncate']);
});
