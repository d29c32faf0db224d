import type pg from 'pg';
import { RestorepointError } from '../../core/errors';
import type { Compression } from '../../core/export-input';
import type { ManifestLargeObjects } from '../../core/manifest';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { loadPart } from './load-part';

/**
 * Recreates an export's large objects with their oids and bytes, inside the restore's one
 * transaction. Each part is first COPYed into a temporary table through `loadPart`, which
 * decrypts it and checks its checksums and row count at the end of the COPY: a part that
 * differs throws CHECKSUM_MISMATCH before any of its rows becomes a large object, and the
 * caller rolls everything back. Then the objects whose first row (offset 0) the part holds
 * are created — refused as TARGET_NOT_EMPTY when the target already has an object of that
 * oid — and every row is written at its offset with lo_put. The objects belong to the
 * restoring role with no grants, as the tables do (the DDL is dumped `--no-owner
 * --no-privileges`). Returns how many objects were created.
 */
export async function restoreLargeObjects(client: pg.ClientBase, store: ObjectStore, largeObjects: ManifestLargeObjects, compression: Compression, cipher: ObjectCipher | undefined, heartbeat: (detail: unknown) => void): Promise<number> {
  await client.query('create temporary table if not exists restorepoint_large_objects (loid oid, off bigint, data bytea) on commit drop');
  let created = 0;
  for (const part of largeObjects.parts) {
    await client.query('truncate restorepoint_large_objects');
    await loadPart(client, store, part, compression, 'copy restorepoint_large_objects (loid, off, data) from stdin (format csv)', cipher);
    const clash = await client.query<{ loid: string }>(
      `select t.loid::text as loid from restorepoint_large_objects t join pg_largeobject_metadata m on m.oid = t.loid where t.off = 0 order by 1 limit 5`,
    );
    if (clash.rows.length > 0) {
      throw new RestorepointError('TARGET_NOT_EMPTY', `the target already has large objects with the export's oids (${clash.rows.map((r) => r.loid).join(', ')}); restore into an empty database`, { oids: clash.rows.map((r) => r.loid) });
    }
    const made = await client.query('select lo_create(loid) from restorepoint_large_objects where off = 0');
    created += made.rowCount ?? 0;
    await client.query('select lo_put(loid, off, data) from restorepoint_large_objects where length(data) > 0');
    heartbeat({ largeObjects: created, part: part.partNo });
  }
  if (created !== largeObjects.objects) {
    throw new RestorepointError('DATA_UNDECODABLE', `the large-object parts match their checksums but create ${created} objects, the manifest says ${largeObjects.objects}; nothing was committed`, { created, expected: largeObjects.objects });
  }
  return created;
}
