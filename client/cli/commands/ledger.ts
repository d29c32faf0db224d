import { InvalidArgumentError, type Command } from 'commander';
import type { Knex } from 'knex';
import { withCatalog } from '../../../catalog/catalog-db';
import { anchorLedger, listLedger, verifyAnchoredLedger, type AnchoredVerification } from '../../../catalog/ledger';
import { loadConfig } from '../../../config/load';
import type { Config } from '../../../config/schema';
import { openStore } from '../../../storage/open-store';
import { currentUser } from './export';
import { action, emit, EXIT, table, UsageError } from '../output';
import { checkCatalogRead } from '../context';

/** Opens the configured catalog, migrated first; says on stderr when that changed the schema. */
function withConfiguredCatalog<T>(work: (db: Knex, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  return withCatalog(config.catalog.url, (db, { applied }) => {
    if (applied.length > 0) process.stderr.write(`catalog: applied ${applied.length} migration(s)\n`);
    return work(db, config);
  });
}

function describeVerification(result: AnchoredVerification): string {
  const a = result.anchors;
  const unread = a.locations.filter((l) => l.error !== undefined);
  const anchors = [
    a.checked === 0 ? 'no anchors found: a cut-off tail or an emptied ledger would not show (see `ledger anchor`)' : `${a.checked} anchor(s) checked, newest at ${a.newest!.seq}`,
    ...unread.map((l) => `could not read anchors at ${l.location}: ${l.error}`),
  ].join('\n');
  if (!result.ok) {
    const b = result.firstBroken;
    return `ledger BROKEN at entry ${b.seq}: ${b.reason} (expected ${b.expected}, found ${b.actual}); ${result.entries} entries before it are intact\n${anchors}`;
  }
  return `${result.head ? `ledger intact: ${result.entries} entries, head ${result.head.seq} ${result.head.hash}` : 'ledger intact: no entries yet'}\n${anchors}`;
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
    .description('recompute the hash chain and check it against the anchors kept outside the catalog; exits 1 and names the first broken entry')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { json?: boolean }) => {
        const result = await withConfiguredCatalog((db, config) =>
          verifyAnchoredLedger(db, (destination) => openStore(destination, config.gcs), { configured: config.ledger.anchorTo }),
        );
        emit(options, result, () => describeVerification(result));
        return result.ok ? EXIT.ok : EXIT.failed;
      }),
    );

  ledger
    .command('anchor')
    .description('write the ledger head to the object store now (exports and retention runs do it too)')
    .option('--to <destination>', 'gs://bucket/prefix or file:///dir (default: the config key ledger.anchorTo)')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { to?: string; json?: boolean }) => {
        const anchor = await withConfiguredCatalog(async (db, config) => {
          const to = options.to ?? config.ledger.anchorTo;
          if (to === undefined) throw new UsageError('no anchor location: pass --to or set ledger.anchorTo (RESTOREPOINT_LEDGER_ANCHOR_TO)');
          const store = openStore(to, config.gcs);
          const written = await anchorLedger(db, store, { actor: currentUser(), reason: 'ledger anchor' });
          return written && { ...written, location: store.url };
        });
        emit(options, { ok: true, anchor }, () => (anchor ? `anchored entry ${anchor.seq} ${anchor.hash} at ${anchor.location}` : 'the ledger is empty: nothing to anchor'));
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
        // A courtesy check in the CLI (the ledger is read straight from the catalog): ledger.read on every source.
        await checkCatalogRead(loadConfig(), 'ledger.read', '*');
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
