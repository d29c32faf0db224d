import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRetention } from '../../core/retention';
import { delta, entry, full, policy, verdict } from './examples';

describe('grandfather-father-son, by example', () => {
  it('keeps the newest export of today and of each of the days before it in the window', () => {
    const exports = ['18', '19', '20', '21', '22'].flatMap((day) =>
      ['02', '10', '18'].map((hour) => full(`${day}-${hour}h`, `2026-11-${day}T${hour}:00:00Z`)),
    );
    const plan = planRetention(exports, policy({ minAgeDays: 0, gfs: { daily: 3 } }), new Date('2026-11-22T20:00:00Z'));
    const kept = plan.exports.filter((p) => p.action.kind === 'keep').map((p) => p.exportId);
    assert.deepEqual(kept, ['22-18h', '21-18h', '20-18h']);
    assert.equal(entry(plan, '21-18h').rule.explanation, 'newest restore point of UTC day 2026-11-21 (daily for 3 days)');
  });

  it('starts a new week on Monday at 00:00 UTC', () => {
    const exports = [
      full('sat', '2026-11-21T12:00:00Z'),
      full('sun-late', '2026-11-22T23:59:00Z'),
      full('mon-early', '2026-11-23T00:01:00Z'),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, gfs: { weekly: 2 } }), new Date('2026-11-24T00:00:00Z'));
    assert.equal(verdict(plan, 'mon-early'), 'keep gfs-weekly');
    assert.equal(verdict(plan, 'sun-late'), 'keep gfs-weekly');
    assert.equal(entry(plan, 'sun-late').rule.explanation, 'newest restore point of UTC week from Mon 2026-11-16 (weekly for 2 weeks)');
    assert.equal(verdict(plan, 'sat'), 'delete expired');
  });

  it('counts calendar months and years back from the one holding now', () => {
    const exports = [
      full('2024-12', '2024-12-31T23:00:00Z'),
      full('2025-11', '2025-11-30T23:59:59Z'),
      full('2025-12-early', '2025-12-01T00:00:00Z'),
      full('2025-12-late', '2025-12-31T23:59:59Z'),
      full('2026-01', '2026-01-02T00:00:00Z'),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, gfs: { monthly: 2, yearly: 2 } }), new Date('2026-01-05T00:00:00Z'));
    assert.equal(verdict(plan, '2026-01'), 'keep gfs-monthly');
    assert.equal(verdict(plan, '2025-12-late'), 'keep gfs-monthly');
    assert.match(entry(plan, '2025-12-late').alsoMatched.map((r) => r.explanation).join(), /UTC year 2025 \(yearly for 2 years\)/);
    assert.equal(verdict(plan, '2025-12-early'), 'delete expired');
    assert.equal(verdict(plan, '2025-11'), 'delete expired');
    assert.equal(verdict(plan, '2024-12'), 'delete expired');
  });

  it('lets the day be represented by an older good export when the newest is corrupt or cannot restore', () => {
    const exports = [
      full('good', '2026-11-21T01:00:00Z'),
      full('failed-base', '2026-11-21T02:00:00Z', { status: 'failed' }),
      delta('orphan', '2026-11-21T03:00:00Z', 'failed-base', 'failed-base'),
      full('rotten', '2026-11-21T04:00:00Z', { verificationStatus: 'corrupt' }),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, gfs: { daily: 2 } }), new Date('2026-11-22T12:00:00Z'));
    assert.equal(verdict(plan, 'good'), 'keep gfs-daily');
    assert.equal(verdict(plan, 'rotten'), 'delete corrupt');
    assert.equal(verdict(plan, 'orphan'), 'delete broken-chain');
    assert.equal(verdict(plan, 'failed-base'), 'delete failed-export-cleanup');
  });

  it('keeps a delta as its day’s restore point together with the chain it needs', () => {
    const exports = [
      full('sunday-full', '2026-11-15T00:00:00Z'),
      delta('mon', '2026-11-16T00:00:00Z', 'sunday-full', 'sunday-full'),
      delta('tue', '2026-11-17T00:00:00Z', 'mon', 'sunday-full'),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, gfs: { daily: 1 } }), new Date('2026-11-17T12:00:00Z'));
    assert.deepEqual(
      plan.exports.map((p) => verdict(plan, p.exportId)),
      ['keep gfs-daily', 'keep needed-by-chain', 'keep needed-by-chain'],
    );
  });
});
