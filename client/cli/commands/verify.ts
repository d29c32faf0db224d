import type { Command } from 'commander';
import { getExport } from '../../../catalog/exports-repo';
import { listRuns } from '../../../catalog/verification-repo';
import { RestorepointError } from '../../../core/errors';
import { describeRestoreOutcome } from '../../../core/verification/table-verdict';
import { VERIFICATION_LEVELS, verificationLevelSchema } from '../../../core/verification/verification-level';
import type { VerificationReport } from '../../../core/verification/verification-report';
import { startVerification } from '../../verifications';
import { sourceOfRow, withCatalogDb, withClient } from '../context';
import { action, emit, EXIT, table } from '../output';
import { parseSize } from '../parse-size';
import { currentUser } from './export';

export function registerVerifyCommands(program: Command): void {
  program
    .command('verify <exportId>')
    .description('prove an export restorable: read every object back (checksums), also parse every part (decode), also restore into a scratch schema and compare (restore); exits 1 if anything differs')
    .option('--level <level>', VERIFICATION_LEVELS.join('|'), 'checksums')
    .option('--full', 'read every object again, even those verified before and unchanged since')
    .option('--max-rate <size>', 'most bytes read back from the store per second, e.g. 50MB (default: as fast as it answers)')
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--json', 'print the report as JSON')
    .action(
      action(async (exportId: string, o: { level: string; full?: boolean; maxRate?: string; requestedBy: string; json?: boolean }) => {
        const level = verificationLevelSchema.safeParse(o.level);
        if (!level.success) throw new RestorepointError('INPUT_INVALID', `--level must be one of ${VERIFICATION_LEVELS.join(', ')}, not "${o.level}"`);
        return withClient(async (client) => {
          const maxBytesPerSecond = o.maxRate ? parseSize(o.maxRate, '--max-rate') : undefined;
          const run = await startVerification(client, { exportId, level: level.data, incremental: !o.full, requestedBy: o.requestedBy, maxBytesPerSecond });
          const report = await run.result();
          emit(o, { ok: report.status === 'passed', ...report }, () => renderReport(report));
          return report.status === 'passed' ? EXIT.ok : EXIT.failed;
        });
      }),
    );

  program
    .command('verifications <exportId>')
    .description("an export's verification runs, newest first, with what each found")
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print JSON')
    .action(
      action(async (exportId: string, o: { limit: string; json?: boolean }) =>
        withCatalogDb(async (db) => {
          const record = await getExport(db, exportId);
          if (!record) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${exportId}" in the catalog`);
          const runs = await listRuns(db, exportId, Number(o.limit));
          emit(o, { exportId, verificationStatus: record.verificationStatus, verifiedAt: record.verifiedAt, runs }, () =>
            [
              `export ${exportId}: ${record.verificationStatus}${record.verifiedAt ? ` (last passed ${record.verifiedAt.toISOString()})` : ''}`,
              table(
                ['run', 'level', 'status', 'incremental', 'started', 'finished', 'objects', 'failed', 'by'],
                runs.map((r) => {
                  const objects = r.results.objects ?? [];
                  const failed = objects.filter((v) => v.status !== 'ok' && v.status !== 'unchanged').length + (r.results.tables ?? []).filter((t) => t.status !== 'ok').length;
                  return [r.id, r.level, r.status, r.incremental, r.startedAt.toISOString(), r.finishedAt?.toISOString(), objects.length, failed, r.requestedBy];
                }),
              ),
            ].join('\n'),
          );
        }, { permission: 'catalog.read', resource: sourceOfRow('exports', exportId) }),
      ),
    );
}

function renderReport(r: VerificationReport): string {
  const { counts } = r;
  return [
    `export ${r.exportId}: ${r.level} verification ${r.status === 'passed' ? 'passed' : 'FAILED'} (run ${r.runId})`,
    `  ${counts.objects} objects: ${counts.read} read back, ${counts.unchanged} unchanged since verified, ${counts.failed} failed${counts.tables ? `; ${counts.tables} tables compared` : ''}`,
    ...(r.restore ? [`  ${describeRestoreOutcome(r.restore)}`] : []),
    ...r.messages.map((m) => `  ✗ ${m}`),
    ...(r.truncated ? [`  … more failures: restorepoint verifications ${r.exportId} --json`] : []),
  ].join('\n');
}
