import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retentionPolicySchema } from '../../core/retention';

describe('the retention policy schema', () => {
  it('fills in a policy that keeps only what safety demands, with a one-day minimum age, safety snapshots for 30 days and a day before scratch files count as orphaned', () => {
    assert.deepEqual(retentionPolicySchema.parse({}), {
      scope: {},
      keepLast: 0,
      gfs: { daily: 0, weekly: 0, monthly: 0, yearly: 0 },
      minAgeDays: 1,
      safetySnapshotDays: 30,
      tiering: {},
      orphanGraceHours: 24,
    });
  });

  it('refuses an empty scope list, which could mean either "nothing" or "everything"', () => {
    assert.equal(retentionPolicySchema.safeParse({ scope: { sources: [] } }).success, false);
  });

  it('refuses tiering thresholds that do not grow colder with age', () => {
    const result = retentionPolicySchema.safeParse({ tiering: { nearlineAfterDays: 90, coldlineAfterDays: 30 } });
    assert.equal(result.success, false);
    assert.match(String(result.error), /nearline < coldline < archive/);
    assert.equal(retentionPolicySchema.safeParse({ tiering: { nearlineAfterDays: 30, archiveAfterDays: 365 } }).success, true);
  });

  it('refuses misspelt settings instead of silently ignoring them', () => {
    assert.equal(retentionPolicySchema.safeParse({ keeplast: 3 }).success, false);
    assert.equal(retentionPolicySchema.safeParse({ gfs: { dayly: 7 } }).success, false);
  });

  it('refuses negative counts and fractional GFS levels', () => {
    assert.equal(retentionPolicySchema.safeParse({ keepLast: -1 }).success, false);
    assert.equal(retentionPolicySchema.safeParse({ gfs: { weekly: 1.5 } }).success, false);
    assert.equal(retentionPolicySchema.safeParse({ minAgeDays: 0.5 }).success, true);
    assert.equal(retentionPolicySchema.safeParse({ safetySnapshotDays: -1 }).success, false);
  });
});
