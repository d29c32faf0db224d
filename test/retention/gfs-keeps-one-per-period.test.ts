import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention } from '../../core/retention';
import { entry } from './examples';
import { histories, policies, RUNS, SOURCES } from './histories';
import { createdMs, inScope, newestFirst, periodKey, restorePoint, windowKeys, type Level } from './spec-oracle';

const LEVELS: readonly Level[] = ['daily', 'weekly', 'monthly', 'yearly'];

describe('grandfather-father-son', () => {
  it('keeps the newest restore point of every UTC period in each window, and nothing else by that level', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const source of SOURCES) {
          const points = newestFirst(exports.filter((e) => e.source === source && inScope(e, policy) && restorePoint(e, exports)));
          for (const level of LEVELS) {
            const window = windowKeys(level, now.getTime(), policy.gfs[level]);
            const expected = new Set<string>();
            const covered = new Set<string>();
            for (const e of points) {
              const key = periodKey(level, createdMs(e));
              if (window.has(key) && !covered.has(key)) {
                covered.add(key);
                expected.add(e.id);
              }
            }
            const chosen = plan.exports
              .filter((p) => p.source === source && [p.rule, ...p.alsoMatched].some((r) => r.code === `gfs-${level}`))
              .map((p) => p.exportId);
            assert.deepEqual(new Set(chosen), expected, `${source} ${level}`);
            for (const id of expected) assert.notEqual(entry(plan, id).action.kind, 'delete', `${id} represents its ${level} period`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
