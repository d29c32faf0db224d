import { InvalidArgumentError, type Command } from 'commander';
import type { Knex } from 'knex';
import { withCatalog } from '../../../catalog/catalog-db';
import { listLedger, verifyLedger } from '../../../catalog/ledger';
import { loadConfig } from '../../../config/load';
import { action, emit, EXIT, table } from '../output';

/** Opens the configured catalog, migrated first; says on stderr when that changed the schema. */
function withConfiguredCatalog<T>(work: (db: Knex) => Promise<T>): Promise<T> {
  return withCatalog(loadConfig().catalog.url, (db, { applied }) => {
    if (applied.length > 0) process.stderr.write(`catalog: applied ${applied.length} migration(s)\n`);
    return work(db);
  });
}

function integer(min: number): (raw: string) => number {
  return (raw) => {
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new InvalidArgumentError(`expected an integer of at least ${min}`);
    return Number(raw);
  };
}

export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('the tamper-evident audit ledger');

  ledger
    .command('verify')
    .description('recompute the hash chain; exits 1 and names the first broken entry if it is broken')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { json?: boolean }) => {
        const result = await withConfiguredCatalog((db) => verifyLedger(db));
        emit(options, result, () => {
          if (!result.ok) {
            const b = result.firstBroken;
            return `ledger BROKEN at entry ${b.seq}: ${b.reason} (expected ${b.expected}, found ${b.actual}); ${result.entries} entries before it are intact`;
          }
          return result.head ? `ledger intact: ${result.entries} entries, head ${result.head.seq} ${result.head.hash}` : 'ledger intact: no entries yet';
        });
        return result.ok ? EXIT.ok : EXIT.failed;
      }),
    );

  ledger
    .command('list')
    .description('entries oldest first, optionally about one subject or of one action')
    .option('--subject <subject>', 'only entries about this subject (e.g. an export id)')
    .option('--action <action>', 'only entries of this action (e.g. export.requested)')
    .option('--limit <n>', 'at most this many entries', integer(1), 100)
    .option('--after-seq <seq>', 'only entries after this sequence number', integer(0), 0)
    .option('--json', 'print JSON')
    .action(
      action(async (options: { subject?: string; action?: string; limit: number; afterSeq: number; json?: boolean }) => {
        const entries = await withConfiguredCatalog((db) =>
          listLedger(db, { subject: options.subject, action: options.action, limit: options.limit, afterSeq: options.afterSeq }),
        );
        emit(options, { ok: true, entries }, () =>
          entries.length === 0
            ? 'no ledger entries match'
            : table(
                ['seq', 'at', 'actor', 'action', 'subject', 'outcome', 'details'],
                entries.map((e) => [e.seq, e.at, e.actor, e.action, e.subject, e.outcome, JSON.stringify(e.details)]),
              ),
        );
      }),
    );
}
