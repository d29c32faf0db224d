import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRetention, type ExportSummary } from '../../core/retention';
import { delta, full, policy } from './examples';

const HOUR = 3_600_000;

/** A weekly full and a delta every hour in between, as `schedule export` would produce. */
function twoYearsOfHourlyDeltas(): ExportSummary[] {
  const start = Date.UTC(2024, 10, 24);
  const exports: ExportSummary[] = [];
  let base = '';
  for (let h = 0; h < 2 * 365 * 24; h++) {
    const at = new Date(start + h * HOUR).toISOString();
    const id = `e${h}`;
    if (h % (7 * 24) === 0) {
      base = id;
      exports.push(full(id, at, { verificationStatus: h % (28 * 24) === 0 ? 'verified' : 'unverified' }));
    } else {
      exports.push(delta(id, at, `e${h - 1}`, base));
    }
  }
  return exports;
}

describe('a catalog of two years of hourly deltas', () => {
  // The planner runs inside a workflow task; how long this takes is reported, never asserted (speed lives in benchmarks).
  it('is planned keeping whole chains only', (t) => {
    const exports = twoYearsOfHourlyDeltas();
    const started = performance.now();
    const plan = planRetention(exports, policy({ gfs: { daily: 14, weekly: 8, monthly: 12, yearly: 2 } }), new Date(Date.parse(exports[exports.length - 1].createdAt) + HOUR));
    t.diagnostic(`${exports.length} exports planned in ${Math.round(performance.now() - started)} ms`);

    const byId = new Map(plan.exports.map((p) => [p.exportId, p]));
    const source = new Map(exports.map((e) => [e.id, e]));
    for (const p of plan.exports.filter((x) => x.action.kind !== 'delete')) {
      for (let e = source.get(p.exportId); e?.parentExportId; e = source.get(e.parentExportId)) {
        assert.notEqual(byId.get(e.parentExportId)?.action.kind, 'delete', `${p.exportId} needs ${e.parentExportId}`);
      }
    }
    assert.ok(plan.totals.delete > exports.length / 2, `only ${plan.totals.delete} of ${exports.length} deleted`);
  });
});
