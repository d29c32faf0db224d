import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRetention } from '../../core/retention';
import { delta, entry, full, policy, verdict } from './examples';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('failed, corrupt and chain-broken exports, by example', () => {
  it('cleans up a failed export once it is past the minimum age, not before', () => {
    const plan = planRetention(
      [full('failed-old', '2026-11-19T12:00:00Z', { status: 'failed' }), full('failed-new', '2026-11-22T00:00:00Z', { status: 'failed' })],
      policy({ minAgeDays: 2, keepLast: 5 }),
      NOW,
    );
    assert.equal(verdict(plan, 'failed-old'), 'delete failed-export-cleanup');
    assert.equal(entry(plan, 'failed-old').rule.explanation, 'failed 3 days ago: its partial objects and its row are removed');
    assert.equal(verdict(plan, 'failed-new'), 'keep min-age');
  });

  it('deletes a corrupt export that only its position would have kept', () => {
    const plan = planRetention([full('rotten', '2026-11-01T00:00:00Z', { verificationStatus: 'corrupt' })], policy({ minAgeDays: 0, keepLast: 5 }), NOW);
    assert.equal(verdict(plan, 'rotten'), 'delete corrupt');
  });

  it('deletes a delta whose parent is gone, saying which link is missing', () => {
    const plan = planRetention(
      [full('base', '2026-11-01T00:00:00Z', { status: 'deleted' }), delta('orphan', '2026-11-02T00:00:00Z', 'base', 'base')],
      policy({ minAgeDays: 0, keepLast: 5 }),
      NOW,
    );
    assert.equal(verdict(plan, 'orphan'), 'delete broken-chain');
    assert.equal(entry(plan, 'orphan').rule.explanation, 'cannot be restored (base is deleted) and matched no keep rule');
    assert.equal(plan.totals.alreadyDeleted, 1);
  });

  it('warns about a kept delta that cannot be restored and a source with nothing verified', () => {
    const plan = planRetention([delta('held-orphan', '2026-11-02T00:00:00Z', 'gone', 'gone', { legalHold: true })], policy(), NOW);
    assert.equal(verdict(plan, 'held-orphan'), 'keep legal-hold');
    assert.deepEqual(
      plan.warnings.map((w) => `${w.code} ${w.subject}: ${w.message}`),
      [
        'broken-chain held-orphan: kept export held-orphan cannot be restored: gone is missing',
        'no-verified-export demo: source demo has no verified export in scope: verify one before trusting this policy',
      ],
    );
  });

  it('does not restore a delta whose base disagrees with its parents', () => {
    const exports = [full('a', '2026-11-01T00:00:00Z'), full('b', '2026-11-02T00:00:00Z'), delta('d', '2026-11-03T00:00:00Z', 'a', 'b')];
    const plan = planRetention(exports, policy({ minAgeDays: 0, keepLast: 1 }), NOW);
    assert.equal(verdict(plan, 'b'), 'keep keep-last');
    assert.equal(entry(plan, 'd').rule.explanation, 'cannot be restored (d names base b but its parents lead to a) and matched no keep rule');
  });
});
