import type { Command } from 'commander';
import { listChainLinks } from '../../../catalog/chain-repo';
import { RestorepointError } from '../../../core/errors';
import { planRestorePoint, pointInTimeSchema, type ChainLink, type RestorePlan } from '../../../core/restore-points';
import { withCatalogDb } from '../context';
import { action, emit, table } from '../output';
import { patternList } from '../name-list';

const describeTail = (plan: RestorePlan) =>
  plan.tail.kind === 'none'
    ? 'nothing more: the last export is exactly at that time'
    : plan.tail.kind === 'archive'
      ? `trail entries ${plan.tail.afterPosition + 1}..${plan.tail.throughPosition} archived in ${plan.tail.exportId}, up to ${plan.at}`
      : `live trail entries after ${plan.tail.afterPosition} in the source, up to ${plan.at}`;

const range = (l: ChainLink) => (l.mode === 'full' ? (l.trailTo ? `@${l.trailTo.position}` : '(no trail)') : `${l.trailFrom?.position ?? '?'}..${l.trailTo?.position ?? '?'}`);

export function registerRestorePointsCommand(program: Command): void {
  program
    .command('restore-points')
    .description('exports that can be restored or built on, and, with --at, the chain (full + deltas + trail entries) that reconstructs that time')
    .requiredOption('--source <name>', 'a configured source')
    .option('--at <time>', 'an ISO 8601 time, e.g. 2026-11-22T09:30:00Z')
    .option('--tables <list>', 'with --at: the tables to reconstruct (comma-separated); the chain starts from an export holding them (default: every table)', patternList)
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source: string; at?: string; tables?: string[]; json?: boolean }) =>
        withCatalogDb(async (db) => {
          const links = await listChainLinks(db, { source: o.source });
          if (o.at === undefined) {
            emit(o, { source: o.source, exports: links }, () =>
              table(
                ['export', 'mode', 'status', 'as of', 'trail', 'parent', 'base'],
                links.map((l) => [l.exportId, l.mode, l.status, l.asOf ?? '', range(l), l.parentExportId ?? '', l.baseExportId ?? '']),
              ),
            );
            return;
          }
          const at = pointInTimeSchema.safeParse(o.at);
          if (!at.success) throw new RestorepointError('INPUT_INVALID', `--at "${o.at}": an ISO 8601 time, e.g. 2026-11-22T09:30:00Z`);
          const tables = o.tables ?? [];
          const planned = planRestorePoint(links, o.source, at.data, tables);
          if (!planned.ok) throw new RestorepointError('NO_RESTORE_POINT', planned.problem, { source: o.source, at: o.at, tables });
          const plan = planned.plan;
          emit(o, plan, () =>
            [
              `to reconstruct ${o.source} at ${plan.at}:`,
              `  1. restore full export ${plan.base.exportId} (as of ${plan.base.asOf}, trail position ${plan.base.trailTo?.position})`,
              ...plan.deltas.map((d, i) => `  ${i + 2}. apply incremental export ${d.exportId} (entries ${d.trailFrom!.position + 1}..${d.trailTo!.position}, as of ${d.asOf})`),
              `  ${plan.deltas.length + 2}. apply ${describeTail(plan)}`,
            ].join('\n'),
          );
        }, { permission: 'catalog.read', resource: o.source }),
      ),
    );
}
