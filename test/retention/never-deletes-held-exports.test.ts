import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention } from '../../core/retention';
import { entry } from './examples';
import { histories, policies, RUNS } from './histories';

describe('an export under legal hold', () => {
  it('is never deleted, whatever the policy and history', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const e of exports.filter((x) => x.legalHold && x.status !== 'deleted')) {
          assert.notEqual(entry(plan, e.id).action.kind, 'delete', `${e.id} is held`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
