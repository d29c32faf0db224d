import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { getExport } from '../catalog/exports-repo';
import type { VerificationReport } from '../core/verification/verification-report';
import type { RestorepointMetrics } from '../observability/metrics';

const FINAL_ROLLBACK_STAGES = ['done', 'rejected', 'cancelled', 'failed', 'compensated'];

type Observer = (args: Record<string, unknown>, result: unknown, seconds: number) => Promise<void> | void;

/**
 * Counts restorepoint's outcomes as the activities that record them in the catalog and
 * ledger succeed, so workflow code stays free of metrics and one table says what is counted
 * where. Figures come from the catalog, which every worker shares: a finish recorded on one
 * worker is counted right whichever worker ran the export. Counting is at least once (an
 * activity retried after it succeeded counts again) and never fails the activity.
 */
export class ActivityMetrics implements ActivityInboundCallsInterceptor {
  private readonly observers: Readonly<Record<string, Observer>>;

  constructor(
    private readonly metrics: RestorepointMetrics,
    catalog: Knex,
    private readonly log: Logger,
  ) {
    const exportOutcome = (outcome: 'succeeded' | 'failed') => async (args: Record<string, unknown>) => {
      const record = await getExport(catalog, String(args.exportId));
      if (!record) return;
      const labels = { source: record.source, mode: record.mode };
      metrics.exports.inc({ ...labels, outcome });
      const end = record.finishedAt ?? new Date();
      metrics.exportDuration.observe({ ...labels, outcome }, (end.getTime() - record.createdAt.getTime()) / 1000);
      if (outcome === 'succeeded') {
        metrics.exportRows.observe(labels, record.rows ?? 0);
        metrics.exportBytes.observe(labels, record.bytes ?? 0);
      }
    };
    this.observers = {
      finishExport: exportOutcome('succeeded'),
      failExport: exportOutcome('failed'),
      restoreExport: (_args, _result, seconds) => metrics.restoreDuration.observe(seconds),
      recordLedger: (args) => {
        if (args.action === 'restore.finished') {
          metrics.restores.inc({ outcome: 'succeeded' });
          metrics.restoreRows.observe(Number((args.details as { rows?: unknown } | undefined)?.rows ?? 0));
        } else if (args.action === 'restore.failed') metrics.restores.inc({ outcome: 'failed' });
      },
      finishVerification: (_args, result) => {
        const report = result as VerificationReport;
        metrics.verifications.inc({ level: report.level, verdict: report.status });
      },
      detectAccidents: (_args, result) => {
        for (const alert of result as readonly { source: string; kind: string }[]) metrics.alerts.inc({ source: alert.source, kind: alert.kind });
      },
      checkObjectives: (_args, result) => {
        for (const alert of (result as { raised: readonly { source: string; kind: string }[] }).raised) metrics.alerts.inc({ source: alert.source, kind: alert.kind });
      },
      abandonVerification: () => metrics.verifications.inc({ level: 'unknown', verdict: 'error' }),
      recordRollbackStep: async (args) => {
        const stage = /^rollback\.stage\.(.+)$/.exec(String(args.action))?.[1];
        if (!stage || !FINAL_ROLLBACK_STAGES.includes(stage)) return;
        const row = (await catalog('rollbacks').where({ id: String(args.rollbackId) }).first('source', 'created_at')) as { source: string; created_at: Date } | undefined;
        if (!row) return;
        metrics.rollbacks.inc({ source: row.source, outcome: stage });
        if (stage === 'done') metrics.rollbackRecovery.observe({ source: row.source }, (Date.now() - new Date(row.created_at).getTime()) / 1000);
      },
    };
  }

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const activity = Context.current().info.activityType;
    const started = Date.now();
    let result: unknown;
    try {
      result = await next(input);
    } catch (error) {
      this.metrics.activities.inc({ activity, outcome: 'failed' });
      throw error;
    }
    this.metrics.activities.inc({ activity, outcome: 'ok' });
    const observe = this.observers[activity];
    if (observe) {
      try {
        await observe((input.args[0] ?? {}) as Record<string, unknown>, result, (Date.now() - started) / 1000);
      } catch (error) {
        this.log.warn({ activity, err: error }, 'metrics not recorded');
      }
    }
    return result;
  }
}
