import { randomUUID } from 'node:crypto';
import { RestorepointError } from '../../core/errors';
import type { StorageProbe } from '../../core/health-check';
import { ALL_RECOVERY_FEATURES, type RecoveryFeatures } from '../../core/rollback/recovery-features';
import { sha256Hex } from '../../streams/sha256';
import type { ActivityDeps } from '../deps';

export function createHealthActivities(deps: ActivityDeps) {
  return {
    /** Each configured source's recovery feature flags as this worker enforces them (`doctor` shows them). */
    async sourceRecoveryFeatures(): Promise<Record<string, RecoveryFeatures>> {
      return Object.fromEntries(Object.entries(deps.config.sources).map(([name, source]) => [name, source.features ?? ALL_RECOVERY_FEATURES]));
    },

    /**
     * Writes a small object, reads it back, compares, and deletes it: proves the worker
     * can reach the store with the rights an export needs. The key is unique per attempt,
     * so a retry never reads another attempt's object.
     */
    async probeStorage(destination: string): Promise<StorageProbe> {
      const store = deps.openStore(destination);
      const probeKey = `restorepoint-probe/${randomUUID()}`;
      const body = Buffer.from(`restorepoint probe ${deps.clock().toISOString()}\n`);
      const started = Date.now();
      await store.putBytes(probeKey, body);
      const back = await store.getBytes(probeKey);
      await store.delete(probeKey);
      if (sha256Hex(back) !== sha256Hex(body)) {
        throw new RestorepointError('CHECKSUM_MISMATCH', `${store.url}/${probeKey}: read back ${back.length} bytes that differ from the ${body.length} written`);
      }
      return { destination: store.url, key: probeKey, bytes: body.length, sha256: sha256Hex(body), roundTripMs: Date.now() - started };
    },
  };
}
