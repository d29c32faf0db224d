import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listSealedEntries, planInverse, renderInverseSql, sealTrail, verifyTrail, type InversePlan } from '../../trail';
import { databaseFingerprint } from '../support/pagila';
import { applyInverse, inTransactionAs, trackedPagila, type TrackedPagila } from './tracked-pagila';

let pagila: TrackedPagila;
let before_: Record<string, string>;
let plan: InversePlan;
before(async () => {
  pagila = await trackedPagila(['public']);
  before_ = await databaseFingerprint(pagila.db.url);
  await inTransactionAs(pagila.client, 'mallory@app', [`update film set rental_rate = rental_rate * 2 where rating in ('PG', 'G')`]);
  // Someone else's later change to other rows is no conflict.
  await inTransactionAs(pagila.client, 'bob@app', [`update film set length = length + 1 where rating = 'R'`]);
  plan = await planInverse(pagila.client, { actor: 'mallory@app', tables: ['public.film'] });
});
after(() => pagila.close());

test('the inverse of a bulk update sets back exactly the columns it changed, row by row', async () => {
  const { rows } = await pagila.client.query<{ n: number }>(`select count(*)::int as n from film where rating in ('PG', 'G')`);
  assert.equal(plan.selected, rows[0]!.n);
  assert.equal(plan.operations.length, rows[0]!.n);
  assert.deepEqual(plan.conflicts, []);
  for (const operation of plan.operations) {
    assert.equal(operation.kind, 'update');
    assert.ok(operation.kind === 'update');
    // last_update changed too: Pagila's own trigger set it.
    assert.deepEqual(operation.columns, ['last_update', 'rental_rate']);
    assert.deepEqual(operation.keyColumns, ['film_id']);
  }
  const positions = plan.operations.map((o) => o.undoes.position!);
  assert.deepEqual(positions, [...positions].sort((a, b) => b - a), 'newest change undone first');
});

test('applying the rendered statements restores every table exactly, and the undoing is recorded', async () => {
  await applyInverse(pagila.client, renderInverseSql(plan), 'rollback@restorepoint');
  const after_ = await databaseFingerprint(pagila.db.url);
  const differing = Object.keys(before_).filter((k) => before_[k] !== after_[k]);
  assert.deepEqual(differing, ['table public.film'], "only bob's later change to R-rated films remains");

  await applyInverse(pagila.client, renderInverseSql(await planInverse(pagila.client, { actor: 'bob@app' })), 'rollback@restorepoint');
  assert.deepEqual(await databaseFingerprint(pagila.db.url), before_, "with bob's change undone as well, everything is as before");

  await sealTrail(pagila.client);
  const verification = await verifyTrail(pagila.client);
  assert.ok(verification.ok);
  const recorded = await listSealedEntries(pagila.client, { after: 0, limit: 10_000 });
  const { rows } = await pagila.client.query<{ n: number }>(`select count(*)::int as n from film where rating in ('PG', 'G', 'R')`);
  assert.equal(recorded.filter((e) => e.actor === 'rollback@restorepoint').length, rows[0]!.n);
});
