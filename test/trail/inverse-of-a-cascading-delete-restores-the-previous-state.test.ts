import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listSealedEntries, planInverse, renderInverseSql, sealTrail, type InversePlan } from '../../trail';
import { databaseFingerprint } from '../support/pagila';
import { applyInverse, inTransactionAs, trackedPagila, type TrackedPagila } from './tracked-pagila';

const CUSTOMER = 148;

let pagila: TrackedPagila;
let before_: Record<string, string>;
let counts: { payments: number; rentals: number };
let plan: InversePlan;
before(async () => {
  pagila = await trackedPagila(['public']);
  before_ = await databaseFingerprint(pagila.db.url);
  const { rows } = await pagila.client.query<{ payments: number; rentals: number }>(
    `select (select count(*)::int from payment where customer_id = $1) as payments, (select count(*)::int from rental where customer_id = $1) as rentals`,
    [CUSTOMER],
  );
  counts = rows[0]!;
  // Pagila's foreign keys are RESTRICT, so the app deletes children first, in one transaction.
  await inTransactionAs(pagila.client, 'oops@app', [
    `delete from payment where customer_id = ${CUSTOMER}`,
    `delete from rental where customer_id = ${CUSTOMER}`,
    `delete from customer where customer_id = ${CUSTOMER}`,
  ]);
  await sealTrail(pagila.client);
  const [first] = await listSealedEntries(pagila.client, { after: 0 });
  plan = await planInverse(pagila.client, { xids: [first!.xid] });
});
after(() => pagila.close());

test('the inverse of a cascading delete re-inserts the parent first, then its children', async () => {
  assert.ok(counts.payments > 0 && counts.rentals > 0);
  assert.equal(plan.selected, 1 + counts.rentals + counts.payments);
  assert.deepEqual(plan.conflicts, []);
  assert.ok(plan.operations.every((o) => o.kind === 'insert'));
  assert.deepEqual(
    plan.operations.map((o) => o.table).filter((t, i, all) => t !== all[i - 1]),
    ['customer', 'rental', 'payment'],
  );
  assert.deepEqual(plan.operations[0]!.key, { customer_id: CUSTOMER });
});

test('applying the rendered statements, foreign keys and partitions included, gives back the exact database', async () => {
  await applyInverse(pagila.client, renderInverseSql(plan), 'rollback@restorepoint');
  assert.deepEqual(await databaseFingerprint(pagila.db.url), before_);
  const { rows } = await pagila.client.query<{ orphans: number }>(
    `select count(*)::int as orphans from payment p where not exists (select 1 from rental r where r.rental_id = p.rental_id)`,
  );
  assert.equal(rows[0]!.orphans, 0);
});
