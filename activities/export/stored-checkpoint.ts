import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import type { ExportCheckpoint } from './export-data';

/**
 * The export's checkpoint, also kept beside its data while it runs. Temporal sends
 * heartbeats throttled (up to 80% of the heartbeat timeout apart), so a worker that dies
 * may leave details seconds old, without the parts it finished last; this object is
 * written each time a part or table is finished, so the next attempt keeps them all.
 * Deleted once the manifest is written; never referenced by it. Encrypted like the parts.
 * `name`: a range activity's own (export-range.ts), under the export's folder.
 */
export function storedCheckpoint(store: ObjectStore, exportId: string, cipher?: ObjectCipher, name = 'checkpoint.json') {
  const key = `${exportId}/${name}`;
  let writes = Promise.resolve();
  return {
    async read(): Promise<ExportCheckpoint | undefined> {
      if (!(await store.stat(key))) return undefined;
      const bytes = await store.getBytes(key);
      // A checkpoint that does not open (another key, altered) only costs the parts it listed: they are written again.
      if (cipher) {
        try {
          return JSON.parse(cipher.open(key, bytes).toString('utf8')) as ExportCheckpoint;
        } catch {
          return undefined;
        }
      }
      return JSON.parse(bytes.toString('utf8')) as ExportCheckpoint;
    },
    /** Writes run one after another, so an older checkpoint never lands after a newer one. */
    write(checkpoint: ExportCheckpoint): Promise<void> {
      writes = writes.then(async () => {
        const plain = Buffer.from(JSON.stringify(checkpoint));
        await store.putBytes(key, cipher ? cipher.seal(key, plain) : plain, { contentType: cipher ? 'application/octet-stream' : 'application/json' });
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
