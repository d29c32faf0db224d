import { Context } from '@temporalio/activity';
import type { LedgerInput } from '../../catalog/ledger';
import type { VerificationReport } from '../../core/verification/verification-report';

/**
 * The alert a corrupt export raises, in three places an operator watches: the audit ledger
 * (`alert.export-corrupt`), the worker's log (one JSON line at level error, the form the
 * activity outcome log uses) and the worker's metrics (`restorepoint_exports_corrupt`,
 * through the Temporal SDK's metric meter, so it leaves by whatever exporter the worker's
 * Runtime has: Prometheus or OTLP).
 */
export function corruptionAlertEntry(report: VerificationReport, actor: string): LedgerInput {
  return {
    actor,
    action: 'alert.export-corrupt',
    subject: report.exportId,
    outcome: 'raised',
    details: { runId: report.runId, level: report.level, failed: report.counts.failed, failures: report.messages.slice(0, 5) },
  };
}

export function emitCorruptionAlert(report: VerificationReport, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): void {
  write(
    JSON.stringify({
      level: 'error',
      time: new Date().toISOString(),
      msg: 'export corrupt',
      alert: 'export-corrupt',
      exportId: report.exportId,
      runId: report.runId,
      verificationLevel: report.level,
      failed: report.counts.failed,
      failures: report.messages.slice(0, 5),
    }),
  );
  Context.current().metricMeter.createCounter('restorepoint_exports_corrupt', '1', 'exports a verification found corrupt').add(1, { level: report.level });
}

/** Every finished run, by level and outcome: a flat line of zero failures is the healthy signal. */
export function countVerificationRun(report: VerificationReport): void {
  Context.current().metricMeter.createCounter('restorepoint_verification_runs', '1', 'finished export verifications').add(1, { level: report.level, outcome: report.status });
}
