import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { formatPlan } from '../../core/retention';
import { NOTHING_APPLIED } from '../../core/retention-run-input';
import { retentionActivityWorld, type RetentionActivityWorld } from './activity-world';

// Incident (issue 18): exports killed with SIGKILL left 0-byte `.~tmp-*` parts in the folder, and nothing ever removed them.

let w: RetentionActivityWorld;
before(async () => {
  w = await retentionActivityWorld();
});
after(() => w.close());

/** A scratch file as a killed writer leaves it, last written `hoursAgo` hours ago. */
function scratch(relative: string, hoursAgo: number): string {
  const file = path.join(w.folder, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
  const at = new Date(Date.now() - hoursAgo * 3_600_000);
  fs.utimesSync(file, at, at);
  return file;
}

it('scratch files older than the grace period are shown in the plan, removed by the run and counted; younger ones stay', async () => {
  await w.seed('d-1', 0);
  const old = scratch('d-1/data/public.orders/.~tmp-0a1b2c3d4e5f-part-00001.csv', 30);
  const sidecar = scratch('d-1/.~tmp-a1b2c3d4e5f6-manifest.json', 48);
  const live = scratch('d-1/data/public.orders/.~tmp-ffffffffffff-part-00002.csv', 1);

  const run = await w.plan({ keepLast: 1, minAgeDays: 0, orphanGraceHours: 24 });
  assert.deepEqual(run.plan.orphans?.map((o) => o.name), ['d-1/.~tmp-a1b2c3d4e5f6-manifest.json', 'd-1/data/public.orders/.~tmp-0a1b2c3d4e5f-part-00001.csv']);
  assert.match(formatPlan(run.plan), /Orphaned scratch files \(left by killed exports, past the grace period\): 2/);
  assert.ok(fs.existsSync(old), 'planning removes nothing');

  const removed = await w.removeOrphans(run.id);
  assert.equal(removed.orphansRemoved, 2);
  assert.deepEqual([fs.existsSync(old), fs.existsSync(sidecar), fs.existsSync(live)], [false, false, true]);
  const [entry] = await listLedger(w.catalog.db, { action: 'retention.orphans-removed' });
  assert.deepEqual([entry?.subject, entry?.details.removed, entry?.details.planId], [w.store.url, 2, run.id]);
  assert.equal((await w.finish(run.id, NOTHING_APPLIED)).orphansRemoved, 2);
  assert.equal((await w.removeOrphans(run.id)).orphansRemoved, 0, 'a retry finds nothing left to remove');
});
