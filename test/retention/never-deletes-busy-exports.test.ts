import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention } from '../../core/retention';
import { entry } from './examples';
import { histories, policies, RUNS } from './histories';
import { ancestors } from './spec-oracle';

describe('an export being verified or restored', () => {
  it('is neither deleted nor tiered, and neither is any export its chain reads', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const busy of exports.filter((x) => x.busy && x.status !== 'deleted')) {
          for (const e of [busy, ...ancestors(busy, exports)].filter((x) => x.status !== 'deleted')) {
            assert.equal(entry(plan, e.id).action.kind, 'keep', `${e.id} is read while ${busy.id} is busy`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
