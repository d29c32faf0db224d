import type { ObjectStore } from '../../storage/object-store';
import type { ExportCheckpoint } from './export-data';

/**
 * The export's checkpoint, also kept beside its data while it runs. Temporal sends
 * heartbeats throttled (up to 80% of the heartbeat timeout apart), so a worker that dies
 * may leave details seconds old, without the parts it finished last; this object is
 * written each time a part or table is finished, so the next attempt keeps them all.
 * Deleted once the manifest is written; never referenced by it.
 */
export function storedCheckpoint(store: ObjectStore, exportId: string) {
  const key = `${exportId}/checkpoint.json`;
  let writes = Promise.resolve();
  return {
    async read(): Promise<ExportCheckpoint | undefined> {
      if (!(await store.stat(key))) return undefined;
      return JSON.parse((await store.getBytes(key)).toString('utf8')) as ExportCheckpoint;
    },
    /** Writes run one after another, so an older checkpoint never lands after a newer one. */
    write(checkpoint: ExportCheckpoint): Promise<void> {
      writes = writes.then(async () => {
        await store.putBytes(key, Buffer.from(JSON.stringify(checkpoint)), { contentType: 'application/json' });
      });
      return writes;
    },
    remove: () => store.delete(key),
  };
}

/** The checkpoint that knows more finished tables, then more parts; the heartbeat's on a tie. */
export function newestCheckpoint(heartbeat: ExportCheckpoint | undefined, stored: ExportCheckpoint | undefined): ExportCheckpoint | undefined {
  const knows = (c: ExportCheckpoint | undefined) => {
    const tables = c ? Object.values(c.tables) : [];
    return c ? [tables.filter((t) => t.complete).length, tables.reduce((n, t) => n + t.parts.length, 0)] : [-1, -1];
  };
  const [storedTables, storedParts] = knows(stored);
  const [heartbeatTables, heartbeatParts] = knows(heartbeat);
  return storedTables! > heartbeatTables! || (storedTables === heartbeatTables && storedParts! > heartbeatParts!) ? stored : heartbeat;
}
