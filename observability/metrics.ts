import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const ROW_BUCKETS = [0, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const BYTE_BUCKETS = [0, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];
const SECOND_BUCKETS = [1, 5, 15, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600];

/**
 * restorepoint's own metrics (docs/observability.md lists each). Counters and histograms are
 * recorded by the worker as activities end (worker/activity-metrics.ts); the gauges are read
 * from the catalog and the sources when scraped (observability/scrape-gauges.ts).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'restorepoint_' });
  const r = { registers: [registry] };
  return {
    registry,
    exports: new Counter({ ...r, name: 'restorepoint_exports_total', help: 'finished exports by source, mode and outcome (succeeded, failed)', labelNames: ['source', 'mode', 'outcome'] as const }),
    exportRows: new Histogram({ ...r, name: 'restorepoint_export_rows', help: 'rows of each succeeded export', labelNames: ['source', 'mode'] as const, buckets: ROW_BUCKETS }),
    exportBytes: new Histogram({ ...r, name: 'restorepoint_export_bytes', help: 'stored bytes of each succeeded export', labelNames: ['source', 'mode'] as const, buckets: BYTE_BUCKETS }),
    exportDuration: new Histogram({ ...r, name: 'restorepoint_export_duration_seconds', help: 'request to finish of each export', labelNames: ['source', 'mode', 'outcome'] as const, buckets: SECOND_BUCKETS }),
    restores: new Counter({ ...r, name: 'restorepoint_restores_total', help: 'finished restores by outcome (succeeded, failed)', labelNames: ['outcome'] as const }),
    restoreRows: new Histogram({ ...r, name: 'restorepoint_restore_rows', help: 'rows of each succeeded restore', buckets: ROW_BUCKETS }),
    restoreDuration: new Histogram({ ...r, name: 'restorepoint_restore_duration_seconds', help: 'duration of each succeeded restore activity', buckets: SECOND_BUCKETS }),
    verifications: new Counter({ ...r, name: 'restorepoint_verifications_total', help: 'export verifications by level and verdict (passed, failed = corrupt, error = could not be verified)', labelNames: ['level', 'verdict'] as const }),
    rollbacks: new Counter({ ...r, name: 'restorepoint_rollbacks_total', help: 'rollbacks by source and final stage (done, rejected, cancelled, failed, compensated)', labelNames: ['source', 'outcome'] as const }),
    rollbackRecovery: new Histogram({ ...r, name: 'restorepoint_rollback_recovery_seconds', help: 'request to done of each applied and validated rollback', labelNames: ['source'] as const, buckets: SECOND_BUCKETS }),
    activities: new Counter({ ...r, name: 'restorepoint_activities_total', help: 'activity attempts by type and outcome (ok, failed)', labelNames: ['activity', 'outcome'] as const }),
    lastGoodExportAge: new Gauge({ ...r, name: 'restorepoint_last_good_export_age_seconds', help: 'seconds since the newest succeeded, not corrupt export of each source finished', labelNames: ['source'] as const }),
    trailSealAge: new Gauge({ ...r, name: 'restorepoint_trail_seal_age_seconds', help: "seconds since the source's change trail was last sealed (the trail's lag)", labelNames: ['source'] as const }),
    trailEntries: new Gauge({ ...r, name: 'restorepoint_trail_entries', help: "entries in the source's change trail (planner estimate)", labelNames: ['source'] as const }),
    alerts: new Counter({ ...r, name: 'restorepoint_alerts_total', help: 'alerts raised by source and kind (mass-delete, mass-update, truncate, slo-*)', labelNames: ['source', 'kind'] as const }),
    alertsOpen: new Gauge({ ...r, name: 'restorepoint_alerts_open', help: 'unresolved (open or acknowledged) alerts by source and kind', labelNames: ['source', 'kind'] as const }),
    trailBytes: new Gauge({ ...r, name: 'restorepoint_trail_bytes', help: "on-disk size of the source's change trail, indexes included", labelNames: ['source'] as const }),
  };
}

export type RestorepointMetrics = ReturnType<typeof createMetrics>;
