import type { Command } from 'commander';
import { sealTrail, trackedTables, trailStatus, verifyTrail, type TrackableTable, type TrackedTable, type TrailVerification } from '../../../trail';
import { resolveTargets } from '../../../trail/resolve-targets';
import { changeTracking } from '../../tracking';
import { confirmOption, withDryRunNote } from '../confirm';
import { withClient } from '../context';
import { action, emit, EXIT, table } from '../output';
import { currentTrailAnchor, REANCHOR_ACTION, recorded, withSourceClient } from '../trail-session';
import { registerTrailInverseCommand } from './trail-inverse';
import { registerTrailPruneCommand } from './trail-prune';

const describeTables = (tables: readonly TrackableTable[]) => tables.map((t) => `${t.schema}.${t.name} (${t.keyColumns.join(', ')})`).join('\n  ');

/** What needs attention on a tracked table; empty when capture is complete. */
function notesOn(t: TrackedTable): string {
  return [
    t.captureAlways ? '' : 'capture disabled or not ENABLE ALWAYS, changes may be missing: track again',
    t.keyChanged ? 'primary key changed: track again' : '',
    t.truncateUncaptured.length > 0 ? `TRUNCATE not captured on ${t.truncateUncaptured.join(', ')}: track again` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

export function registerTrailCommands(program: Command): void {
  program
    .command('track <targets...>')
    .description('record every change to these tables (schema.table, a schema, or schema.*) in the source database')
    .requiredOption('--source <name>', 'a configured source connection, or local:<database>')
    .option('--json', 'print JSON')
    .action(
      action(async (targets: string[], o: { source: string; json?: boolean }) => {
        // The worker tracks for the verified caller (trail.track on the source) and records it in the ledger.
        const tables = await withClient((client) => changeTracking(client, { source: o.source, targets, change: 'track' }));
        emit(o, { ok: true, source: o.source, tables }, () => `tracking ${tables.length} table(s) on ${o.source}:\n  ${describeTables(tables)}`);
      }),
    );

  confirmOption(
    program
      .command('untrack <targets...>')
      .description('stop recording changes to these tables with --confirm; the history recorded so far stays')
      .requiredOption('--source <name>', 'a configured source connection, or local:<database>'),
  )
    .option('--json', 'print JSON')
    .action(
      action(async (targets: string[], o: { source: string; confirm?: boolean; json?: boolean }) => {
        if (!o.confirm) {
          const { tracked, untracked } = await withSourceClient(o.source, async (client) => {
            const named = await resolveTargets(client, targets);
            const now = new Set((await trackedTables(client)).map((t) => `${t.schema}.${t.name}`));
            return { tracked: named.filter((t) => now.has(`${t.schema}.${t.name}`)), untracked: named.filter((t) => !now.has(`${t.schema}.${t.name}`)) };
          });
          emit(o, { ok: true, dryRun: true, source: o.source, tables: tracked, notTracked: untracked }, () =>
            withDryRunNote(
              false,
              [
                tracked.length === 0 ? `none of these tables is tracked on ${o.source}` : `would stop tracking on ${o.source} (history recorded so far stays):\n  ${describeTables(tracked)}`,
                untracked.length === 0 ? '' : `not tracked, left as they are: ${untracked.map((t) => `${t.schema}.${t.name}`).join(', ')}`,
              ]
                .filter(Boolean)
                .join('\n'),
            ),
          );
          return;
        }
        const tables = await withClient((client) => changeTracking(client, { source: o.source, targets, change: 'untrack' }));
        emit(o, { ok: true, dryRun: false, source: o.source, tables }, () => `no longer tracking on ${o.source}:\n  ${describeTables(tables)}`);
      }),
    );

  const trail = program.command('trail').description("the change trail kept in a source database: status, sealing, verification, inverses");

  trail
    .command('status')
    .description('tracked tables and how far the chain is sealed')
    .requiredOption('--source <name>', 'a configured source connection, or local:<database>')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source: string; json?: boolean }) => {
        const status = await withSourceClient(o.source, (client) => trailStatus(client));
        emit(o, { source: o.source, ...status }, () => {
          if (!status.installed) return `no trail in ${o.source}: nothing is tracked`;
          return [
            status.tables.length === 0 ? 'no tables tracked' : table(['table', 'key', 'notes'], status.tables.map((t) => [`${t.schema}.${t.name}`, t.keyColumns.join(', '), notesOn(t)])),
            status.head ? `sealed: ${status.head.position} entries, head ${status.head.hash}` : 'sealed: nothing yet',
            `unsealed: ${status.unsealed}`,
          ].join('\n');
        });
      }),
    );

  trail
    .command('seal')
    .description('give committed entries their chain position and hash (verify and exports do this too)')
    .requiredOption('--source <name>', 'a configured source connection, or local:<database>')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source: string; json?: boolean }) => {
        const result = await withSourceClient(o.source, (client) => sealTrail(client));
        emit(o, { ok: true, ...result }, () => `sealed ${result.sealed} entries; head ${result.head ? `${result.head.position} ${result.head.hash}` : '(none)'}`);
      }),
    );

  trail
    .command('verify')
    .description('seal, then recompute the hash chain; exits 1 and names the first broken entry if it is broken')
    .requiredOption('--source <name>', 'a configured source connection, or local:<database>')
    .option('--no-anchor', 'do not check against the anchor (the head kept in the ledger); such a run never moves the anchor: see `trail reanchor`')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source: string; anchor: boolean; json?: boolean }) => {
        const anchor = o.anchor ? await currentTrailAnchor(o.source) : undefined;
        const { sealed, result } = await recorded('trail.verified', o.source, async () => {
          const outcome = await withSourceClient(o.source, async (client) => ({ sealed: (await sealTrail(client)).sealed, result: await verifyTrail(client, { anchor }) }));
          const checked = { anchorChecked: o.anchor };
          const details = outcome.result.ok
            ? { head: outcome.result.head, entries: outcome.result.entries, ...checked }
            : { firstBroken: outcome.result.firstBroken, entries: outcome.result.entries, ...checked };
          return { result: outcome, outcome: outcome.result.ok ? 'ok' : 'broken', details };
        });
        emit(o, { source: o.source, sealed, ...result }, () => {
          if (!result.ok) {
            const b = result.firstBroken;
            const entry = b.seq === null ? '' : ` (seq ${b.seq}, xid ${b.xid})`;
            return `trail BROKEN at position ${b.position}${entry}: ${b.reason} (expected ${b.expected}, found ${b.actual}); ${result.entries} entries before it are intact`;
          }
          return result.head ? `trail intact: ${result.entries} entries (${sealed} sealed now), head ${result.head.position} ${result.head.hash}` : 'trail intact: no entries yet';
        });
        return result.ok ? EXIT.ok : EXIT.failed;
      }),
    );

  trail
    .command('reanchor')
    .description('set the anchor to the current head when it no longer extends the last one (e.g. the database was recreated); audited')
    .requiredOption('--source <name>', 'a configured source connection, or local:<database>')
    .requiredOption('--reason <text>', 'why the anchor moves, kept in the ledger')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { source: string; reason: string; json?: boolean }) => {
        const from = (await currentTrailAnchor(o.source)) ?? null;
        const result = await recorded<TrailVerification>(REANCHOR_ACTION, o.source, async () => {
          const verified = await withSourceClient(o.source, async (client) => {
            await sealTrail(client);
            return verifyTrail(client);
          });
          // The chain itself must hold: reanchoring accepts a different history, never a broken one.
          if (!verified.ok) return { result: verified, outcome: 'refused', details: { reason: o.reason, from, firstBroken: verified.firstBroken } };
          return { result: verified, details: { reason: o.reason, from, to: verified.head } };
        });
        emit(o, { source: o.source, from, ...result }, () => {
          if (!result.ok) return `not reanchored: the chain is broken at position ${result.firstBroken.position} (${result.firstBroken.reason})`;
          const to = result.head ? `${result.head.position} ${result.head.hash}` : '(empty trail)';
          return `trail anchor of ${o.source} moved from ${from ? `${from.position} ${from.hash}` : '(none)'} to ${to}`;
        });
        return result.ok ? EXIT.ok : EXIT.failed;
      }),
    );

  registerTrailInverseCommand(trail);
  registerTrailPruneCommand(trail);
}
