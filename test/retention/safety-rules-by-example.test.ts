import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRetention } from '../../core/retention';
import { codes, delta, entry, full, policy, verdict } from './examples';

const NOW = new Date('2026-11-22T12:00:00Z');
/** A policy that keeps nothing of its own accord, so only the safety rules are left to keep anything. */
const keepNothing = policy({ minAgeDays: 0 });

describe('safety rules, by example', () => {
  it('keeps a held export that every keep rule has passed over', () => {
    const plan = planRetention([full('old', '2020-01-01T00:00:00Z', { legalHold: true }), full('other', '2020-01-02T00:00:00Z')], keepNothing, NOW);
    assert.equal(verdict(plan, 'old'), 'keep legal-hold');
    assert.equal(verdict(plan, 'other'), 'delete expired');
  });

  it('keeps a busy delta and every export its chain reads, without tiering them', () => {
    const exports = [
      full('base', '2026-01-01T00:00:00Z'),
      delta('d1', '2026-01-02T00:00:00Z', 'base', 'base'),
      delta('d2', '2026-01-03T00:00:00Z', 'd1', 'base', { busy: true }),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, tiering: { nearlineAfterDays: 30 } }), NOW);
    assert.equal(verdict(plan, 'd2'), 'keep busy');
    assert.equal(verdict(plan, 'd1'), 'keep busy');
    assert.equal(entry(plan, 'base').rule.explanation, 'read while d2 is verified or restored');
  });

  it('never touches an export whose workflow may still be writing', () => {
    const plan = planRetention(
      [full('stuck', '2026-01-01T00:00:00Z', { status: 'running' }), full('queued', '2026-01-01T01:00:00Z', { status: 'requested' })],
      keepNothing,
      NOW,
    );
    assert.equal(verdict(plan, 'stuck'), 'keep in-progress');
    assert.equal(verdict(plan, 'queued'), 'keep in-progress');
  });

  it('keeps the newest verified export of each source even when no rule would', () => {
    const exports = [
      full('verified-old', '2026-01-01T00:00:00Z', { verificationStatus: 'verified' }),
      full('verified-new', '2026-02-01T00:00:00Z', { verificationStatus: 'verified' }),
      full('unverified-newest', '2026-03-01T00:00:00Z'),
      full('other-source', '2026-01-01T00:00:00Z', { source: 'crm', verificationStatus: 'verified' }),
    ];
    const plan = planRetention(exports, keepNothing, NOW);
    assert.equal(verdict(plan, 'verified-new'), 'keep newest-verified');
    assert.equal(verdict(plan, 'other-source'), 'keep newest-verified');
    assert.equal(verdict(plan, 'verified-old'), 'delete expired');
    assert.equal(verdict(plan, 'unverified-newest'), 'delete expired');
  });

  it('also keeps the newest verified export that still restores when the newest one sits on a corrupt base', () => {
    const exports = [
      full('good', '2026-01-01T00:00:00Z', { verificationStatus: 'verified' }),
      full('rotten', '2026-02-01T00:00:00Z', { verificationStatus: 'corrupt' }),
      delta('stale', '2026-02-02T00:00:00Z', 'rotten', 'rotten', { verificationStatus: 'verified' }),
    ];
    const plan = planRetention(exports, keepNothing, NOW);
    assert.equal(verdict(plan, 'stale'), 'keep newest-verified');
    assert.equal(verdict(plan, 'good'), 'keep newest-verified');
    assert.match(entry(plan, 'good').rule.explanation, /intact chain \(rotten is corrupt\)/);
    assert.equal(verdict(plan, 'rotten'), 'keep needed-by-chain');
  });

  it('keeps anything younger than the minimum age, and an export dated after now', () => {
    const plan = planRetention(
      [full('hours-old', '2026-11-22T06:00:00Z'), full('from-the-future', '2026-11-22T12:05:00Z'), full('week-old', '2026-11-15T12:00:00Z')],
      policy({ minAgeDays: 1 }),
      NOW,
    );
    assert.equal(verdict(plan, 'hours-old'), 'keep min-age');
    assert.equal(entry(plan, 'hours-old').rule.explanation, '6 hours old, younger than the minimum age of 1 day');
    assert.equal(verdict(plan, 'from-the-future'), 'keep min-age');
    assert.match(entry(plan, 'from-the-future').rule.explanation, /^created 5 minutes after the planning time/);
    assert.equal(verdict(plan, 'week-old'), 'delete expired');
  });

  it('keeps the parents and base full of a kept delta, naming the delta that needs them', () => {
    const exports = [
      full('unrelated', '2026-10-01T00:00:00Z'),
      full('base', '2026-11-01T00:00:00Z'),
      delta('d1', '2026-11-02T00:00:00Z', 'base', 'base'),
      delta('d2', '2026-11-03T00:00:00Z', 'd1', 'base'),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, keepLast: 1 }), NOW);
    assert.equal(verdict(plan, 'd2'), 'keep keep-last');
    assert.equal(verdict(plan, 'd1'), 'keep needed-by-chain');
    assert.equal(entry(plan, 'base').rule.explanation, 'needed to restore kept export d2');
    assert.equal(verdict(plan, 'unrelated'), 'delete expired');
  });

  it('leaves exports outside the scope alone, yet keeps the in-scope parents they need', () => {
    const exports = [
      full('prod-base', '2026-01-01T00:00:00Z', { tags: { environment: 'prod' } }),
      delta('untagged-delta', '2026-01-02T00:00:00Z', 'prod-base', 'prod-base'),
      full('prod-old', '2025-12-01T00:00:00Z', { tags: { environment: 'prod' } }),
    ];
    const plan = planRetention(exports, policy({ minAgeDays: 0, scope: { environments: ['prod'] } }), NOW);
    assert.equal(verdict(plan, 'untagged-delta'), 'keep out-of-scope');
    assert.equal(entry(plan, 'untagged-delta').rule.explanation, 'not governed by this policy: environment tag is not set; the policy covers prod');
    assert.equal(verdict(plan, 'prod-base'), 'keep needed-by-chain');
    assert.equal(verdict(plan, 'prod-old'), 'delete expired');
  });

  it('reports every rule that matched, the deciding one first', () => {
    const plan = planRetention([full('only', '2026-11-22T00:00:00Z', { legalHold: true, verificationStatus: 'verified' })], policy({ keepLast: 3, gfs: { daily: 7 } }), NOW);
    assert.deepEqual(codes(plan, 'only'), ['legal-hold', 'newest-verified', 'keep-last', 'gfs-daily', 'min-age']);
  });
});
