import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { getRetentionRun } from '../../catalog/retention-runs-repo';
import { listLedger } from '../../catalog/ledger';
import { NOTHING_APPLIED } from '../../core/retention-run-input';
import { retentionActivityWorld, type RetentionActivityWorld } from './activity-world';

// Incident (issue 18): a run that failed part-way recorded "deleted 0" although it had deleted
// exports: the record held what the workflow had heard back from finished batches only.

let w: RetentionActivityWorld;
before(async () => {
  w = await retentionActivityWorld();
});
after(() => w.close());

it('a run whose workflow never heard back from its batch still records every deletion it made', async () => {
  for (const [id, days] of [['c-1', 5], ['c-2', 4], ['c-3', 3], ['c-4', 0]] as const) await w.seed(id, days);
  const run = await w.plan({ keepLast: 1, minAgeDays: 0 });
  await w.deleteBatch(run.id);
  // The workflow failed before the batch's answer arrived: as far as it knows, nothing was applied.
  const counted = await w.finish(run.id, NOTHING_APPLIED, 'worker lost');
  assert.deepEqual([counted.deleted, counted.skipped, counted.objectsDeleted], [3, 0, 6]);
  const record = await getRetentionRun(w.catalog.db, run.id);
  assert.deepEqual([record?.status, record?.outcome?.deleted, record?.outcome?.objectsDeleted, record?.outcome?.error], ['failed', 3, 6, 'worker lost']);
  const [entry] = await listLedger(w.catalog.db, { action: 'retention.failed', subject: run.id });
  assert.equal(entry?.details.deleted, 3);
  assert.deepEqual(await w.finish(run.id, NOTHING_APPLIED, 'worker lost'), counted, 'a retried finish counts the same');
});
