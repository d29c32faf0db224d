import type { Knex } from 'knex';
import type { ManifestPart } from '../../core/manifest';

/**
 * Records finished parts in the catalog. Upserts by object key, so a retried attempt
 * re-records rather than duplicates; `replaceTable` makes the table's rows exactly
 * `parts` (a resumed export under a new snapshot may have cut the table differently).
 */
export async function recordParts(db: Knex, exportId: string, table: string, parts: readonly ManifestPart[], options: { replaceTable?: boolean } = {}): Promise<void> {
  await db.transaction(async (trx) => {
    if (options.replaceTable) await trx('export_files').where({ export_id: exportId, table_name: table }).delete();
    if (parts.length === 0) return;
    await trx('export_files')
      .insert(
        parts.map((p) => ({
          export_id: exportId,
          object_key: p.key,
          table_name: table,
          part_no: p.partNo,
          rows: p.rows,
          bytes: p.bytes,
          sha256: p.sha256,
          crc32c: p.crc32c,
        })),
      )
      .onConflict(['export_id', 'object_key'])
      .merge(['rows', 'bytes', 'sha256', 'crc32c', 'part_no', 'table_name']);
  });
}
