import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baselineOf, judgeWindow } from '../../core/alerts/baseline';
import { rollbackProposal } from '../../core/alerts/proposal';

const thresholds = { minChanges: 500, tableFraction: 0.2, baselineFactor: 5 };

describe('a window alerts only above its minimum, its usual volume and its spread', () => {
  it('a quiet table does not alert on its first few deletes, however large their share', () => {
    assert.equal(judgeWindow(10, 12, baselineOf([0, 0, 0, 0]), thresholds).anomalous, false);
  });

  it('10,000 deletes of a 16,000-row table with no history alert as a share of the table', () => {
    assert.deepEqual(judgeWindow(10_000, 16_044, baselineOf([0, 0, 0, 0]), thresholds), { anomalous: true, limit: 499, reason: 'share-of-table' });
  });

  it('a table that churns does not alert on its usual volume, even over a fifth of its rows', () => {
    const usual = baselineOf([900, 1100, 1000, 950, 1050, 980]);
    assert.equal(judgeWindow(1200, 2000, usual, thresholds).anomalous, false);
    assert.equal(judgeWindow(6000, 1_000_000, usual, thresholds).anomalous, true);
  });

  it('one earlier accident in the history does not raise the bar (median and MAD, not the mean)', () => {
    const withAccident = baselineOf([100, 120, 90, 20_000, 110, 100, 105]);
    assert.equal(withAccident.median, 105);
    assert.equal(judgeWindow(5000, 1_000_000, withAccident, thresholds).anomalous, true);
  });

  it('windows before a table first changed are not its baseline: traffic that started recently is judged against its busy windows', () => {
    assert.deepEqual(baselineOf([0, 0, 0, 0, 0, 0, 3000, 2800, 3100]), { median: 3000, mad: 100 });
    assert.equal(judgeWindow(3000, 5000, baselineOf([0, 0, 0, 0, 0, 0, 3000, 2800, 3100]), thresholds).anomalous, false);
  });

  it('the proposal is a revert scoped to the actor, table and time span, quoted for a shell; a truncate proposes a rollback to just before it', () => {
    const at = new Date('2026-12-06T10:00:00.123Z');
    const later = new Date('2026-12-06T10:00:04.5006Z');
    assert.equal(
      rollbackProposal({ alertId: 'alert-1', source: 'demo', kind: 'mass-delete', table: 'public.rental', actor: "o'brien@app", firstChangeAt: at, lastChangeAt: later, snapshotTo: 'gs://b/p' }),
      "restorepoint revert --source demo --actor 'o'\\''brien@app' --table public.rental --since 2026-12-06T10:00:00.123Z --until 2026-12-06T10:00:04.501Z --snapshot-to gs://b/p --reason 'alert alert-1' --wait",
    );
    assert.equal(
      rollbackProposal({ alertId: 'alert-2', source: 'demo', kind: 'truncate', table: 'public.rental', actor: null, firstChangeAt: at, lastChangeAt: at, snapshotTo: null }),
      "restorepoint rollback start --source demo --at 2026-12-06T10:00:00.122Z --tables public.rental --reason 'alert alert-2' --wait",
    );
  });
});
