import type { Command } from 'commander';
import { pruneTrail } from '../../point-in-time';
import { withClient } from '../context';
import { confirmOption, withDryRunNote } from '../confirm';
import { action, emit, UsageError } from '../output';
import { currentUser } from './export';

export function registerTrailPruneCommand(trail: Command): void {
  confirmOption(
    trail
      .command('prune')
      .description("with --confirm, remove archived entries from the source's trail after reading their archived copy back and verifying it (ledger: trail.pruned); without it, verify and show what would be pruned"),
  )
    .requiredOption('--source <name>', 'a configured source connection, or local:<database>')
    .option('--through <position>', 'prune up to this position (default: as far as verified archives reach and current chains allow)')
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source: string; through?: string; confirm?: boolean; requestedBy: string; json?: boolean }) => {
        const through = o.through === undefined ? undefined : Number(o.through);
        if (through !== undefined && (!Number.isSafeInteger(through) || through < 1)) throw new UsageError(`--through "${o.through}": a trail position (1 or more)`);
        return withClient(async (client) => {
          const result = await pruneTrail(client, { source: o.source, through, dryRun: !o.confirm, requestedBy: o.requestedBy });
          emit(o, { ok: true, ...result }, () => {
            if (result.through.position === result.from.position) return `nothing to prune on ${o.source}: no verified archive goes past position ${result.from.position} where it is still needed`;
            const verb = result.dryRun ? 'would prune' : `pruned ${result.removed} entries,`;
            return withDryRunNote(!result.dryRun, `${verb} positions ${result.from.position + 1}..${result.through.position} of ${o.source}; archive verified in ${result.archives.join(', ')}`);
          });
        });
      }),
    );
}
