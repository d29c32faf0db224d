import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention, type RetentionPlan } from '../../core/retention';
import { entry } from './examples';
import { histories, policies, RUNS } from './histories';
import { coversSource, createdMs, inScope, partialFull, restorable } from './spec-oracle';

const COUNTING_RULES = new Set(['keep-last', 'gfs-daily', 'gfs-weekly', 'gfs-monthly', 'gfs-yearly']);
const DAY = 86_400_000;

/** `id rule` for every keep-last and GFS slot the plan fills. */
function slots(plan: RetentionPlan): Set<string> {
  return new Set(plan.exports.flatMap((p) => [p.rule, ...p.alsoMatched].filter((r) => COUNTING_RULES.has(r.code)).map((r) => `${p.exportId} ${r.code}`)));
}

/**
 * Restorepoint issue 5: every rollback writes a safety snapshot and `export --tables` a partial
 * export; counted as restore points, a few of them pushed full backups out of keep-last and GFS.
 */
describe('partial exports and rollbacks’ safety snapshots', () => {
  it('never change which exports fill keep-last and GFS slots', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const withoutPartial = exports.filter((e) => !partialFull(e));
        assert.deepEqual(slots(planRetention(exports, policy, now)), slots(planRetention(withoutPartial, policy, now)));
      }),
      { numRuns: RUNS },
    );
  });

  it('never fill a slot themselves, nor do the deltas built on them', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const p of plan.exports) {
          const e = exports.find((x) => x.id === p.exportId);
          assert.ok(e);
          const counted = [p.rule, ...p.alsoMatched].filter((r) => COUNTING_RULES.has(r.code));
          if (!coversSource(e, exports)) assert.deepEqual(counted, [], `${e.id} holds only some tables`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('are kept for safetySnapshotDays if they are finished safety snapshots, and say why when they go', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const e of exports.filter((x) => x.status !== 'deleted' && inScope(x, policy))) {
          const p = entry(plan, e.id);
          const ageMs = now.getTime() - createdMs(e);
          const codes = [p.rule, ...p.alsoMatched].map((r) => r.code);
          const keptForUndo = e.role === 'safety-snapshot' && e.status === 'succeeded' && ageMs < policy.safetySnapshotDays * DAY;
          assert.equal(codes.includes('safety-snapshot'), keptForUndo, `${e.id}: ${codes.join(', ')}`);
          if (p.action.kind !== 'delete' || !restorable(e, exports)) continue;
          const expected = e.role === 'safety-snapshot' ? 'safety-snapshot-expired' : coversSource(e, exports) ? 'expired' : 'partial-expired';
          assert.equal(p.rule.code, expected, e.id);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
