import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPlan, planRetention } from '../../core/retention';
import { delta, full, policy } from './examples';

describe('the printed plan', () => {
  it('shows one line per export with its decision, deciding rule and why, then the warnings', () => {
    const exports = [
      full('sep-full', '2026-09-01T02:00:00Z', { verificationStatus: 'verified' }),
      full('nov-full', '2026-11-15T02:00:00Z'),
      delta('nov-delta', '2026-11-16T02:00:00Z', 'nov-full', 'nov-full'),
      full('nov-failed', '2026-11-20T02:00:00Z', { status: 'failed' }),
      full('gone', '2026-08-01T02:00:00Z', { status: 'deleted' }),
      full('crm-1', '2026-11-22T01:00:00Z', { source: 'crm' }),
    ];
    const plan = planRetention(exports, policy({ scope: { sources: ['demo'] }, gfs: { monthly: 3 }, tiering: { nearlineAfterDays: 30 } }), new Date('2026-11-22T12:00:00Z'));
    assert.equal(
      formatPlan(plan),
      [
        'Retention plan at 2026-11-22T12:00:00.000Z: 3 keep, 1 tier, 1 delete (1 already deleted, not shown)',
        '',
        'EXPORT      SOURCE  CREATED (UTC)     MODE         STATUS     DECISION         RULE                   WHY',
        'crm-1       crm     2026-11-22 01:00  full         succeeded  keep             out-of-scope           not governed by this policy: source is "crm"; the policy covers demo',
        'nov-failed  demo    2026-11-20 02:00  full         failed     delete           failed-export-cleanup  failed 2.4 days ago: its partial objects and its row are removed',
        'nov-delta   demo    2026-11-16 02:00  incremental  succeeded  keep             gfs-monthly            newest restore point of UTC month 2026-11 (monthly for 3 months)',
        'nov-full    demo    2026-11-15 02:00  full         succeeded  keep             needed-by-chain        needed to restore kept export nov-delta',
        'sep-full    demo    2026-09-01 02:00  full         succeeded  tier → NEARLINE  tier-by-age            82.4 days old, past the NEARLINE threshold of 30 days: STANDARD → NEARLINE (kept by: newest-verified, gfs-monthly)',
      ].join('\n'),
    );
  });

  it('lists warnings under the table', () => {
    const plan = planRetention([full('only', '2026-11-22T00:00:00Z')], policy(), new Date('2026-11-22T12:00:00Z'));
    assert.match(formatPlan(plan), /\n\nWarnings:\n {2}! no-verified-export demo: source demo has no verified export in scope/);
  });

  it('says so when there is nothing to plan', () => {
    assert.equal(formatPlan(planRetention([], policy(), new Date('2026-11-22T12:00:00Z'))), 'Retention plan at 2026-11-22T12:00:00.000Z: 0 keep, 0 tier, 0 delete');
  });
});
