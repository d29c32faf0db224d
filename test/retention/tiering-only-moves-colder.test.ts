import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planRetention, STORAGE_CLASSES, type StorageClass } from '../../core/retention';
import { histories, policies, RUNS } from './histories';
import { createdMs, inScope } from './spec-oracle';

const THRESHOLD = { STANDARD: undefined, NEARLINE: 'nearlineAfterDays', COLDLINE: 'coldlineAfterDays', ARCHIVE: 'archiveAfterDays' } as const;

describe('storage-class tiering', () => {
  it('moves a kept, in-scope, idle export colder and only once its age passes the target threshold', () => {
    fc.assert(
      fc.property(histories(), policies, ({ exports, now }, policy) => {
        const plan = planRetention(exports, policy, now);
        for (const p of plan.exports) {
          if (p.action.kind !== 'tier') continue;
          const e = exports.find((x) => x.id === p.exportId);
          assert.ok(e && e.storageClass !== null && inScope(e, policy) && !e.busy);
          assert.equal(p.action.from, e.storageClass);
          const rank = (c: StorageClass): number => STORAGE_CLASSES.indexOf(c);
          assert.ok(rank(p.action.to) > rank(p.action.from), `${p.exportId}: ${p.action.from} → ${p.action.to}`);
          const key = THRESHOLD[p.action.to];
          const afterDays = key === undefined ? undefined : policy.tiering[key];
          assert.ok(afterDays !== undefined && now.getTime() - createdMs(e) >= afterDays * 86_400_000);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
