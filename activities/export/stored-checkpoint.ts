import type { ObjectStore } from '../../storage/object-store';
import type { ExportCheckpoint } from './export-data';

/**
 * The export's checkpoint, also kept beside its data while it runs. Temporal sends
 * heartbeats throttled (up to 80% of the heartbeat timeout apart), so a worker that dies
 * may leave details seconds old, without the tables it finished last; this object is
 * written each time a table is finished, so the next attempt keeps every finished table.
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

/** The checkpoint that knows more finished tables; the heartbeat's on a tie (it also knows parts). */
export function newestCheckpoint(heartbeat: ExportCheckpoint | undefined, stored: ExportCheckpoint | undefined): ExportCheckpoint | undefined {
  const finished = (c: ExportCheckpoint | undefined) => (c ? Object.values(c.tables).filter((t) => t.complete).length : -1);
  return finished(stored) > finished(heartbeat) ? stored : heartbeat;
}
