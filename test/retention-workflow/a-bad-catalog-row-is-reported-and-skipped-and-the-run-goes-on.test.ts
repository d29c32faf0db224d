import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { formatPlan } from '../../core/retention';
import { retentionActivityWorld, type RetentionActivityWorld } from './activity-world';

// Incident (issue 18): an export row whose destination the store refuses (`gs://bucket/../x`,
// recorded before destinations were checked up front) aborted a retention run part-way.

let w: RetentionActivityWorld;
before(async () => {
  w = await retentionActivityWorld();
});
after(() => w.close());

it('a row whose destination the store refuses is skipped with a ledger entry, and the rest of the batch is deleted', async () => {
  for (const [id, days] of [['a-1', 5], ['a-2', 4], ['a-3', 3], ['a-4', 0]] as const) await w.seed(id, days);
  await w.catalog.db('exports').where({ id: 'a-2' }).update({ destination: 'gs://bucket/../x' });
  const run = await w.plan({ keepLast: 1, minAgeDays: 0 });
  assert.deepEqual(run.plan.exports.filter((e) => e.action.kind === 'delete').map((e) => e.exportId), ['a-3', 'a-2', 'a-1']);

  const applied = await w.deleteBatch(run.id);
  assert.deepEqual([applied.deleted, applied.skipped], [2, 1]);
  const rows = (await w.catalog.db('exports').orderBy('id').select('id', 'status')) as { id: string; status: string }[];
  assert.deepEqual(rows.map((r) => `${r.id}:${r.status}`), ['a-1:deleted', 'a-2:succeeded', 'a-3:deleted', 'a-4:succeeded']);
  const [skip] = await listLedger(w.catalog.db, { action: 'retention.skipped', subject: 'a-2' });
  assert.deepEqual([skip?.outcome, skip?.details.error, skip?.details.planId], ['failed', 'INPUT_INVALID', run.id]);
  assert.match(String(skip?.details.why), /its catalog row cannot be acted on/);
});

it('a row the planner cannot read is a bad-row warning, kept with its chain, and the plan covers the rest', async () => {
  await w.seed('b-1', 5);
  await w.seed('b-2', 0);
  await w.catalog.db.raw('alter table exports drop constraint exports_role_known');
  await w.catalog.db('exports').where({ id: 'b-1' }).update({ role: 'mystery' });
  const run = await w.plan({ keepLast: 1, minAgeDays: 0 });
  const b1 = run.plan.exports.find((e) => e.exportId === 'b-1');
  assert.equal(b1?.action.kind, 'keep');
  assert.deepEqual(run.plan.warnings.filter((x) => x.code === 'bad-row').map((x) => x.subject), ['b-1']);
  assert.match(formatPlan(run.plan), /! bad-row b-1: catalog row of b-1 is unreadable \(role: .*\): it and its chain are left alone/);
});
