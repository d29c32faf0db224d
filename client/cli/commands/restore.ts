import type { Command } from 'commander';
import { startRestore } from '../../restores';
import { withClient } from '../context';
import { patternList } from '../name-list';
import { action, emit, table } from '../output';
import { currentUser } from './export';

export function registerRestoreCommand(program: Command): void {
  program
    .command('restore <exportId>')
    .description('restore an export into a configured target (an empty database, empty tables, or a new schema)')
    .requiredOption('--target <name>', 'a configured connection; on the local stack, local:<database>')
    .option('--schema <name>', 'restore as plain tables into this new schema instead')
    .option('--tables <list>', 'only these tables (comma-separated or repeated patterns)', patternList)
    .option('--no-verify-first', 'check checksums only while loading (still never commits a bad part)')
    .option('--allow-corrupt', 'restore an export its last verification found corrupt (refused otherwise)')
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--json', 'print JSON')
    .action(
      action(async (exportId: string, o: { target: string; schema?: string; tables?: string[]; verifyFirst: boolean; allowCorrupt?: boolean; requestedBy: string; json?: boolean }) =>
        withClient(async (client) => {
          const run = await startRestore(client, { exportId, target: o.target, targetSchema: o.schema, tables: o.tables ?? [], verifyFirst: o.verifyFirst, allowCorrupt: o.allowCorrupt ?? false, requestedBy: o.requestedBy });
          const summary = await run.result();
          emit(o, { ok: true, ...summary }, () =>
            [`restored export ${exportId} into ${o.target}${o.schema ? ` (schema ${o.schema})` : ''} as ${summary.mode}: ${summary.rows} rows, ${summary.sequences} sequences${summary.largeObjects ? `, ${summary.largeObjects} large objects` : ''}`, table(['table', 'rows', 'parts'], summary.tables.map((t) => [t.table, t.rows, t.parts]))].join('\n'),
          );
        }),
      ),
    );
}
