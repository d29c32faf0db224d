import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRetention } from '../../core/retention';
import { entry, full, policy, verdict } from './examples';

const NOW = new Date('2026-11-22T00:00:00Z');
const tiered = policy({ minAgeDays: 0, keepLast: 100, tiering: { nearlineAfterDays: 30, coldlineAfterDays: 90, archiveAfterDays: 365 } });

describe('storage-class tiering, by example', () => {
  it('moves each kept export to the coldest class its age has reached', () => {
    const plan = planRetention(
      [
        full('week', '2026-11-15T00:00:00Z'),
        full('two-months', '2026-09-22T00:00:00Z'),
        full('half-year', '2026-05-22T00:00:00Z'),
        full('two-years', '2024-11-22T00:00:00Z'),
      ],
      tiered,
      NOW,
    );
    assert.equal(verdict(plan, 'week'), 'keep keep-last');
    assert.equal(verdict(plan, 'two-months'), 'tier→NEARLINE tier-by-age');
    assert.equal(verdict(plan, 'half-year'), 'tier→COLDLINE tier-by-age');
    assert.equal(verdict(plan, 'two-years'), 'tier→ARCHIVE tier-by-age');
    assert.equal(entry(plan, 'half-year').rule.explanation, '184 days old, past the COLDLINE threshold of 90 days: STANDARD → COLDLINE');
    assert.deepEqual(entry(plan, 'half-year').alsoMatched.map((r) => r.code), ['keep-last']);
  });

  it('never moves an export to a warmer class', () => {
    const plan = planRetention([full('cold', '2026-09-22T00:00:00Z', { storageClass: 'ARCHIVE' })], tiered, NOW);
    assert.equal(verdict(plan, 'cold'), 'keep keep-last');
  });

  it('leaves storage without classes, busy exports and exports about to be deleted where they are', () => {
    const plan = planRetention(
      [
        full('local', '2025-01-01T00:00:00Z', { storageClass: null }),
        full('busy', '2025-01-02T00:00:00Z', { busy: true }),
        full('doomed', '2025-01-03T00:00:00Z', { status: 'failed' }),
      ],
      tiered,
      NOW,
    );
    assert.equal(verdict(plan, 'local'), 'keep keep-last');
    assert.equal(verdict(plan, 'busy'), 'keep busy');
    assert.equal(verdict(plan, 'doomed'), 'delete failed-export-cleanup');
  });

  it('tiers a held export: holding it keeps its data, not its storage class', () => {
    const plan = planRetention([full('held', '2024-01-01T00:00:00Z', { legalHold: true })], policy({ minAgeDays: 0, tiering: { archiveAfterDays: 365 } }), NOW);
    assert.equal(verdict(plan, 'held'), 'tier→ARCHIVE tier-by-age');
    assert.deepEqual(entry(plan, 'held').alsoMatched.map((r) => r.code), ['legal-hold']);
  });
});
