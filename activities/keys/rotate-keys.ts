import { heartbeat } from '@temporalio/activity';
import { appendLedger } from '../../catalog/ledger';
import { rotateKeysInputSchema, type RotateKeysOutcome, type RotateKeysRequest } from '../../core/rotate-keys-input';
import { rewrapDataKeys } from '../../crypto/export-keys';
import { LocalKeyring } from '../../crypto/local-keyring';
import { keyProviderOf, type ActivityDeps } from '../deps';

/**
 * `keys rotate`, run by the worker once `rotateKeysWorkflow` has authorized the caller: the local
 * keyring gets a new current key (Cloud KMS rotates its CryptoKey itself, beforehand), then every
 * live data key is re-wrapped under the current key; no object is rewritten. Idempotent: a retry
 * finds the key its rotation made, re-wraps only what is left, and ledgers the rotation once.
 */
export function createRotateKeysActivities(deps: ActivityDeps) {
  return {
    async rotateKeys(request: RotateKeysRequest): Promise<RotateKeysOutcome> {
      const input = rotateKeysInputSchema.parse(request);
      const provider = keyProviderOf(deps);
      const keyId =
        provider instanceof LocalKeyring
          ? // One rotation at a time across workers: two read-modify-writes of the keyring file at once would lose a key.
            await deps.catalog.transaction(async (trx) => {
              await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`restorepoint keyring ${provider.file}`]);
              return provider.rotate(input.rotationId);
            })
          : await provider.currentKeyId();
      const rewrapped = await rewrapDataKeys(deps.catalog, provider, () => heartbeat());
      const recorded = await deps.catalog('ledger').where({ action: 'keys.rotated' }).whereRaw("details->>'rotationId' = ?", [input.rotationId]).first('seq');
      if (!recorded) {
        await appendLedger(deps.catalog, { actor: input.requestedBy, action: 'keys.rotated', subject: keyId, outcome: 'ok', details: { provider: provider.kind, rotationId: input.rotationId, rewrapped: rewrapped.length } });
      }
      return { keyId, rewrapped };
    },
  };
}
