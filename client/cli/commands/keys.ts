import type { Command } from 'commander';
import { rotateKeys } from '../../rotate-keys';
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

/** `keys rotate`: a new key-encryption key, and every data key re-wrapped under it; no object is rewritten. Run by the worker (which checks `keys.rotate` on `*`). */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('the key-encryption keys that wrap exports’ data keys (docs/security.md)');
  keys
    .command('rotate')
    .description('local keyring: add a new key and make it current; Cloud KMS: rotate the CryptoKey in KMS first. Then re-wrap every live data key under the current key')
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--json', 'print JSON')
    .action(
      action(async (o: { requestedBy: string; json?: boolean }) =>
        withClient(async (client) => {
          const { keyId, rewrapped } = await rotateKeys(client, { requestedBy: o.requestedBy });
          emit(o, { ok: true, keyId, rewrapped }, () => `current key ${keyId}; ${rewrapped.length} data keys re-wrapped, no object rewritten`);
        }),
      ),
    );
}
