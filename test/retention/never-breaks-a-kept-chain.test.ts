import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention } from '../../core/retention';
import { entry } from './examples';
import { histories, policies, RUNS } from './histories';
import { ancestors } from './spec-oracle';

describe('the chain of a kept export', () => {
  it('keeps every parent up to the base full and the named base, in scope or not', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const kept of plan.exports.filter((p) => p.action.kind !== 'delete')) {
          const e = exports.find((x) => x.id === kept.exportId);
          assert.ok(e);
          for (const needed of ancestors(e, exports).filter((x) => x.status !== 'deleted')) {
            assert.notEqual(entry(plan, needed.id).action.kind, 'delete', `${kept.exportId} needs ${needed.id}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('is whole in long histories of hourly deltas too', () => {
    fc.assert(
      fc.property(histories(400), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        const deleted = new Set(plan.exports.filter((p) => p.action.kind === 'delete').map((p) => p.exportId));
        for (const kept of plan.exports.filter((p) => !deleted.has(p.exportId))) {
          const e = exports.find((x) => x.id === kept.exportId);
          assert.ok(e);
          assert.ok(ancestors(e, exports).every((a) => !deleted.has(a.id)), `a parent of ${e.id} is deleted`);
        }
      }),
      { numRuns: RUNS / 10 },
    );
  });
});
