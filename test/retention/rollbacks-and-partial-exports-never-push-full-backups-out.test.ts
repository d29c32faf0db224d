import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPlan, planRetention } from '../../core/retention';
import { codes, delta, entry, full, partialFull, policy, safetySnapshot, verdict } from './examples';

const NOW = new Date('2026-11-22T12:00:00Z');

/**
 * Restorepoint issue 5: each rollback writes a safety snapshot and `export --tables` a partial
 * export. Counted as restore points, a few of them took the keep-last and GFS slots of the full
 * backups, which were then deleted.
 */
describe('rollbacks and partial exports, by example', () => {
  it('three rollbacks and an ad-hoc partial export leave the last three full backups in keep-last', () => {
    const exports = [
      full('mon', '2026-11-16T02:00:00Z'),
      full('tue', '2026-11-17T02:00:00Z'),
      full('wed', '2026-11-18T02:00:00Z'),
      safetySnapshot('rb-1-safety', '2026-11-18T09:00:00Z'),
      safetySnapshot('rb-2-safety', '2026-11-18T10:00:00Z'),
      partialFull('orders-only', '2026-11-18T11:00:00Z'),
      safetySnapshot('rb-3-safety', '2026-11-18T12:00:00Z'),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, keepLast: 3 }), NOW);
    assert.equal(verdict(plan, 'wed'), 'keep keep-last');
    assert.equal(verdict(plan, 'tue'), 'keep keep-last');
    assert.equal(verdict(plan, 'mon'), 'keep keep-last');
    assert.equal(entry(plan, 'mon').rule.explanation, '#3 of the 3 newest restore points of source demo');
    assert.equal(verdict(plan, 'rb-3-safety'), 'keep safety-snapshot');
    assert.equal(entry(plan, 'rb-3-safety').rule.explanation, "a rollback's safety snapshot, 4 days old: kept 30 days so `rollback undo` can restore it");
    assert.equal(verdict(plan, 'orders-only'), 'delete partial-expired');
    assert.equal(
      entry(plan, 'orders-only').rule.explanation,
      '4 days old and matched no keep rule; never counted by keep-last or GFS: orders-only holds only some tables (taken with a table selection), not every table',
    );
  });

  it('a day whose newest export is a safety snapshot is represented by its full backup', () => {
    const exports = [
      full('nightly', '2026-11-21T02:00:00Z'),
      safetySnapshot('rb-safety', '2026-11-21T15:00:00Z'),
      partialFull('adhoc', '2026-11-21T16:00:00Z'),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, gfs: { daily: 2 }, safetySnapshotDays: 0 }), NOW);
    assert.equal(verdict(plan, 'nightly'), 'keep gfs-daily');
    assert.equal(verdict(plan, 'rb-safety'), 'delete safety-snapshot-expired');
    assert.equal(entry(plan, 'rb-safety').rule.explanation, "a rollback's safety snapshot, 21 hours old: safetySnapshotDays is 0, and matched no keep rule");
    assert.equal(verdict(plan, 'adhoc'), 'delete partial-expired');
  });

  it('keeps a finished safety snapshot 30 days by default, then lets it go, saying why', () => {
    assert.equal(policy().safetySnapshotDays, 30);
    const exports = [
      safetySnapshot('recent', '2026-10-24T12:00:00Z'),
      safetySnapshot('old', '2026-10-22T12:00:00Z'),
      safetySnapshot('failed', '2026-11-20T12:00:00Z', { status: 'failed' }),
      full('backup', '2026-11-22T02:00:00Z'),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, keepLast: 1 }), NOW);
    assert.equal(verdict(plan, 'recent'), 'keep safety-snapshot');
    assert.equal(verdict(plan, 'failed'), 'delete failed-export-cleanup');
    assert.equal(verdict(plan, 'old'), 'delete safety-snapshot-expired');
    assert.equal(entry(plan, 'old').rule.explanation, "a rollback's safety snapshot, 31 days old: past the 30 days kept for `rollback undo`, and matched no keep rule");
  });

  it('still keeps partial exports and safety snapshots that are held, busy, young or verified', () => {
    const exports = [
      full('backup', '2026-11-01T02:00:00Z'),
      partialFull('held', '2026-11-02T00:00:00Z', { legalHold: true }),
      safetySnapshot('read-by-undo', '2026-01-02T00:00:00Z', { busy: true }),
      partialFull('young', '2026-11-22T06:00:00Z'),
      partialFull('verified', '2026-11-03T00:00:00Z', { verificationStatus: 'verified' }),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 1, keepLast: 1 }), NOW);
    assert.equal(verdict(plan, 'held'), 'keep legal-hold');
    assert.equal(verdict(plan, 'read-by-undo'), 'keep busy');
    assert.equal(verdict(plan, 'young'), 'keep min-age');
    assert.equal(verdict(plan, 'verified'), 'keep newest-verified');
    assert.equal(verdict(plan, 'backup'), 'keep keep-last');
  });

  it('also keeps the newest verified full backup when the newest verified export is partial', () => {
    const exports = [
      full('verified-old', '2026-10-01T02:00:00Z', { verificationStatus: 'verified' }),
      full('verified-full', '2026-11-01T02:00:00Z', { verificationStatus: 'verified' }),
      safetySnapshot('verified-safety', '2026-11-10T00:00:00Z', { verificationStatus: 'verified' }),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, safetySnapshotDays: 0 }), NOW);
    assert.equal(verdict(plan, 'verified-safety'), 'keep newest-verified');
    assert.equal(verdict(plan, 'verified-full'), 'keep newest-verified');
    assert.equal(
      entry(plan, 'verified-full').rule.explanation,
      "newest verified export of source demo that restores every table (verified-safety is a rollback's safety snapshot (kept for undo, never a chain base))",
    );
    assert.equal(verdict(plan, 'verified-old'), 'delete expired');
  });

  it('does not count a delta built on a partial export, and keeps its base while the delta stays', () => {
    const exports = [
      full('whole', '2026-11-20T02:00:00Z'),
      partialFull('orders-base', '2026-11-20T10:00:00Z'),
      delta('orders-delta', '2026-11-21T10:00:00Z', 'orders-base', 'orders-base'),
      delta('orders-delta-2', '2026-11-22T10:00:00Z', 'orders-delta', 'orders-base', { legalHold: true }),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, keepLast: 1 }), NOW);
    assert.equal(verdict(plan, 'whole'), 'keep keep-last');
    assert.deepEqual(codes(plan, 'orders-delta-2'), ['legal-hold']);
    assert.equal(verdict(plan, 'orders-delta'), 'keep needed-by-chain');
    assert.equal(verdict(plan, 'orders-base'), 'keep needed-by-chain');

    const released = planRetention(
      exports.map((e) => ({ ...e, legalHold: false })),
      policy({ minAgeDays: 0, keepLast: 1 }),
      NOW,
    );
    assert.equal(verdict(released, 'orders-delta-2'), 'delete partial-expired');
    assert.match(entry(released, 'orders-delta-2').rule.explanation, /its chain starts from orders-base: orders-base holds only some tables/);
  });

  it('warns when the only verified exports of a source lack tables', () => {
    const plan = planRetention([partialFull('p', '2026-11-22T00:00:00Z', { verificationStatus: 'verified' })], policy(), NOW);
    assert.match(formatPlan(plan), /no-verified-export demo: source demo has no verified export of every table in scope, only partial exports or safety snapshots/);
  });
});
