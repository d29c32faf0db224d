import type { Command } from 'commander';
import { startReconstruct } from '../../point-in-time';
import { withClient } from '../context';
import { patternList } from '../name-list';
import { action, emit } from '../output';
import { currentUser } from './export';

export function registerReconstructCommand(program: Command): void {
  program
    .command('reconstruct')
    .description('rebuild tables of a source as they were at a point in time: restore the base full export, replay deltas and trail entries up to that time')
    .requiredOption('--source <name>', 'the configured source whose past is rebuilt')
    .requiredOption('--at <time>', 'an ISO 8601 time, e.g. 2026-11-22T09:30:00Z')
    .requiredOption('--target <name>', 'a configured connection (or local:<database>) to rebuild into: an empty database, or any with --schema')
    .option('--schema <name>', 'rebuild into this new schema as plain tables instead of an empty database')
    .option('--tables <list>', 'tables or schema.table patterns (comma-separated); the chain starts from an export holding them; default every table', patternList)
    .option('--id <id>', 'reconstruction id (default: generated)')
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source: string; at: string; target: string; schema?: string; tables?: string[]; id?: string; requestedBy: string; json?: boolean }) =>
        withClient(async (client) => {
          const started = await startReconstruct(client, {
            reconstructionId: o.id,
            source: o.source,
            at: o.at,
            target: o.target,
            targetSchema: o.schema,
            tables: o.tables ?? [],
            requestedBy: o.requestedBy,
          });
          const summary = await started.result();
          emit(o, { ok: true, ...summary }, () =>
            [
              `reconstructed ${o.source} at ${summary.at} into ${o.target}${o.schema ? ` (schema ${o.schema})` : ''}`,
              `  base ${summary.baseExportId} (${summary.baseRows} rows), deltas ${summary.deltaExportIds.join(', ') || '(none)'}, then ${summary.tail}`,
              `  ${summary.entriesReplayed} trail entries replayed`,
            ].join('\n'),
          );
        }),
      ),
    );
}
