import type { Command } from 'commander';
import { appendLedger } from '../../../catalog/ledger';
import { rewrapDataKeys } from '../../../crypto/export-keys';
import { LocalKeyring } from '../../../crypto/local-keyring';
import { openKeyProvider } from '../../../crypto/open-key-provider';
import { shredExport } from '../../shred';
import { confirmOption, withDryRunNote } from '../confirm';
import { withCatalogDb, withClient } from '../context';
import { action, emit } from '../output';
import { currentUser } from './export';

/** `exports shred <id>`: crypto-shredding, run by the worker (which checks `export.shred`). */
export function registerShredCommand(exports: Command): void {
  confirmOption(
    exports
      .command('shred <exportId>')
      .description("destroy an export's data key so its stored objects can never be read again (an erasure request); refused under legal hold or while an incremental chain builds on it")
      .requiredOption('--reason <text>', 'why, e.g. the erasure request (required: recorded in the ledger)')
      .option('--requested-by <who>', 'recorded in the ledger', currentUser()),
  )
    .option('--json', 'print JSON')
    .action(
      action(async (exportId: string, o: { reason: string; requestedBy: string; confirm?: boolean; json?: boolean }) =>
        withCatalogDb(async (db) =>
          withClient(async (client) => {
            const outcome = await shredExport(client, db, { exportId, reason: o.reason, requestedBy: o.requestedBy, confirm: Boolean(o.confirm) });
            emit(o, { ok: true, ...outcome }, () =>
              withDryRunNote(
                Boolean(o.confirm),
                outcome.destroyedAt && !outcome.changed
                  ? `export ${exportId} was already shredded on ${outcome.destroyedAt}`
                  : outcome.dryRun
                    ? `would destroy the data key of export ${exportId} (wrapped under ${outcome.keyId}): none of its objects could be read again`
                    : `destroyed the data key of export ${exportId}: its objects can never be read again`,
              ),
            );
          }),
        ),
      ),
    );
}

/** `keys rotate`: a new key-encryption key, and every data key re-wrapped under it; no object is rewritten. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('the key-encryption keys that wrap exports’ data keys (docs/security.md)');
  keys
    .command('rotate')
    .description('local keyring: add a new key and make it current; Cloud KMS: rotate the CryptoKey in KMS first. Then re-wrap every live data key under the current key')
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--json', 'print JSON')
    .action(
      action(async (o: { requestedBy: string; json?: boolean }) =>
        withCatalogDb(async (db, config) => {
          const provider = openKeyProvider(config);
          const rotatedTo = provider instanceof LocalKeyring ? provider.rotate() : await provider.currentKeyId();
          const rewrapped = await rewrapDataKeys(db, provider);
          await appendLedger(db, { actor: o.requestedBy, action: 'keys.rotated', subject: rotatedTo, outcome: 'ok', details: { provider: provider.kind, rewrapped: rewrapped.length } });
          emit(o, { ok: true, keyId: rotatedTo, rewrapped }, () => `current key ${rotatedTo}; ${rewrapped.length} data keys re-wrapped, no object rewritten`);
        }),
      ),
    );
}
