import type { Command } from 'commander';
import { listRollbacks } from '../../find-rollbacks';
import { withClient } from '../context';
import { action, emit, table } from '../output';

/** `rollback list`: what waits for whom, found through the workflows' search attributes. */
export function registerRollbackListCommand(rollback: Command): void {
  rollback
    .command('list')
    .description('rollbacks, newest first, found through Temporal search attributes (e.g. --stage awaiting-approval)')
    .option('--stage <stage>', 'only rollbacks at this stage (awaiting-approval, applying, done, …)')
    .option('--source <name>', 'only rollbacks of this source')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { stage?: string; source?: string; limit: string; json?: boolean }) =>
        withClient(async (client) => {
          const rows = await listRollbacks(client, { stage: o.stage, source: o.source, limit: Number(o.limit) });
          emit(o, rows, () =>
            table(
              ['rollback', 'stage', 'source', 'requested by', 'target export', 'workflow', 'started'],
              rows.map((r) => [r.rollbackId, r.stage, r.source, r.requestedBy, r.targetExportId, r.status, r.startedAt]),
            ),
          );
        }),
      ),
    );
}
