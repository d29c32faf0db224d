import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { retentionActivityWorld, type RetentionActivityWorld } from './activity-world';

// Incident (issue 18): an export of only the `restorepoint_trail` schema filled keep-last's
// slot, so the last full backup of the app's tables was planned for deletion.

let w: RetentionActivityWorld;
before(async () => {
  w = await retentionActivityWorld();
});
after(() => w.close());

it('keep-last passes over a newer trail-only export and keeps the full backup', async () => {
  await w.seed('e-full', 3, { tables: ['public.orders'] });
  await w.seed('e-trail', 1, { tables: ['restorepoint_trail.change', 'restorepoint_trail.seal', 'restorepoint_trail.seal_run'] });
  const run = await w.plan({ keepLast: 1, minAgeDays: 0 });
  const decided = Object.fromEntries(run.plan.exports.map((e) => [e.exportId, `${e.action.kind} ${e.rule.code}`]));
  assert.deepEqual(decided, { 'e-trail': 'delete partial-expired', 'e-full': 'keep keep-last' });
});
