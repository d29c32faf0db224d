import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention } from '../../core/retention';
import { entry } from './examples';
import { histories, policies, RUNS, SOURCES } from './histories';
import { inScope, newestFirst, restorable, restorePoint } from './spec-oracle';

describe('the newest verified export of each source in scope', () => {
  it('is never deleted', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const source of SOURCES) {
          const verified = newestFirst(exports.filter((e) => e.source === source && inScope(e, policy) && e.status === 'succeeded' && e.verificationStatus === 'verified'));
          if (verified.length === 0) continue;
          assert.notEqual(entry(plan, verified[0].id).action.kind, 'delete', `${verified[0].id} is the newest verified of ${source}`);
          const newestRestorable = verified.find((e) => restorable(e, exports));
          if (newestRestorable) assert.notEqual(entry(plan, newestRestorable.id).action.kind, 'delete', `${newestRestorable.id} is the newest verified restorable of ${source}`);
          const newestWhole = verified.find((e) => restorePoint(e, exports));
          if (newestWhole) assert.notEqual(entry(plan, newestWhole.id).action.kind, 'delete', `${newestWhole.id} is the newest verified export restoring every table of ${source}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('is never a corrupt export', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const p of plan.exports.filter((x) => [x.rule, ...x.alsoMatched].some((r) => r.code === 'newest-verified'))) {
          const e = exports.find((x) => x.id === p.exportId);
          assert.equal(e?.verificationStatus, 'verified', `${p.exportId} was kept as newest verified`);
          assert.equal(e?.status, 'succeeded');
        }
      }),
      { numRuns: RUNS },
    );
  });
});
