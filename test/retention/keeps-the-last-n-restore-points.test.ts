import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention } from '../../core/retention';
import { histories, policies, RUNS, SOURCES } from './histories';
import { inScope, newestFirst, restorePoint } from './spec-oracle';

describe('keep-last', () => {
  it('keeps exactly the N newest restore points of each source in scope', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const source of SOURCES) {
          const expected = newestFirst(exports.filter((e) => e.source === source && inScope(e, policy) && restorePoint(e, exports)))
            .slice(0, policy.keepLast)
            .map((e) => e.id);
          const kept = plan.exports.filter((p) => p.source === source && [p.rule, ...p.alsoMatched].some((r) => r.code === 'keep-last'));
          assert.deepEqual(new Set(kept.map((p) => p.exportId)), new Set(expected));
          assert.ok(kept.every((p) => p.action.kind !== 'delete'));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
