import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention, type ExportSummary } from '../../core/retention';
import { histories, policies, RUNS } from './histories';

const frozen = (exports: readonly ExportSummary[]): readonly ExportSummary[] =>
  Object.freeze(exports.map((e) => Object.freeze({ ...e, tags: Object.freeze({ ...e.tags }) })));

describe('planning', () => {
  it('gives the same plan for the same exports in any order, and never changes its input', () => {
    fc.assert(
      fc.property(histories(), policies, fc.nat(), ({ exports, now }, policy, seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray([...exports], { minLength: exports.length, maxLength: exports.length }), { seed, numRuns: 1 })[0];
        const before = structuredClone(exports);
        const plan = planRetention(frozen(exports), policy, now);
        assert.deepEqual(planRetention(frozen(shuffled), policy, new Date(now.getTime())), plan);
        assert.deepEqual(exports, before);
      }),
      { numRuns: RUNS },
    );
  });
});
