import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention } from '../../core/retention';
import { histories, policies, RUNS } from './histories';
import { createdMs } from './spec-oracle';

describe('the minimum age', () => {
  it('protects every export younger than it, including those dated after now', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const p of plan.exports.filter((x) => x.action.kind === 'delete')) {
          const e = exports.find((x) => x.id === p.exportId);
          assert.ok(e);
          const ageDays = (now.getTime() - createdMs(e)) / 86_400_000;
          assert.ok(ageDays >= policy.minAgeDays && ageDays >= 0, `${e.id} is ${ageDays} days old`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
