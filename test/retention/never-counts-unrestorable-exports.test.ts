import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention } from '../../core/retention';
import { histories, policies, RUNS } from './histories';
import { restorable } from './spec-oracle';

const COUNTING_RULES = new Set(['keep-last', 'gfs-daily', 'gfs-weekly', 'gfs-monthly', 'gfs-yearly']);

describe('corrupt, failed, unfinished and chain-broken exports', () => {
  it('never satisfy keep-last or a GFS period', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const p of plan.exports) {
          const counted = [p.rule, ...p.alsoMatched].filter((r) => COUNTING_RULES.has(r.code));
          if (counted.length === 0) continue;
          const e = exports.find((x) => x.id === p.exportId);
          assert.ok(e && restorable(e, exports), `${p.exportId} cannot be restored but was counted by ${counted.map((r) => r.code).join(', ')}`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
