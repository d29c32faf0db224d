import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention, RETENTION_RULE_CODES } from '../../core/retention';
import { histories, policies, RUNS } from './histories';
import { inScope } from './spec-oracle';

const DELETE_RULES = new Set(['failed-export-cleanup', 'corrupt', 'broken-chain', 'safety-snapshot-expired', 'partial-expired', 'expired']);

describe('the plan', () => {
  it('lists every export that still exists once, with a known rule and an explanation', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        const live = exports.filter((e) => e.status !== 'deleted').map((e) => e.id);
        assert.deepEqual([...plan.exports.map((p) => p.exportId)].sort(), [...live].sort());
        assert.equal(plan.totals.alreadyDeleted, exports.length - live.length);
        assert.equal(plan.totals.keep + plan.totals.tier + plan.totals.delete, live.length);
        for (const p of plan.exports) {
          for (const r of [p.rule, ...p.alsoMatched]) {
            assert.ok(RETENTION_RULE_CODES.includes(r.code));
            assert.ok(r.explanation.length > 0);
          }
          assert.equal(DELETE_RULES.has(p.rule.code), p.action.kind === 'delete', `${p.exportId}: ${p.rule.code} ${p.action.kind}`);
          if (p.action.kind === 'delete') assert.deepEqual(p.alsoMatched, []);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves exports outside the scope alone and says so', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const e of exports.filter((x) => x.status !== 'deleted')) {
          const p = plan.exports.find((x) => x.exportId === e.id);
          assert.equal(p?.rule.code === 'out-of-scope', !inScope(e, policy), e.id);
          if (!inScope(e, policy)) assert.equal(p?.action.kind, 'keep');
        }
      }),
      { numRuns: RUNS },
    );
  });
});
