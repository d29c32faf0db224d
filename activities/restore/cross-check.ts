import type { Knex } from 'knex';
import type { ExportRecord } from '../../catalog/export-records';
import { listFiles } from '../../catalog/exports-repo';
import { RestorepointError } from '../../core/errors';
import type { Manifest } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { describeObjectVerdict } from '../../core/verification/object-verdict';
import type { ObjectStore } from '../../storage/object-store';
import { expectedObjects } from '../verify/expected-objects';
import { fromFullManifest } from '../verify/verifiable-manifest';

/**
 * The manifest's sha256 matching the catalog proves only the manifest: whoever can write the
 * catalog's `exports` row can re-record a manifest edited to leave a table out. So the three
 * records of an export must agree before a row moves: the manifest, the catalog's own
 * records (its table and row totals, and one `export_files` row per part, written part by
 * part while exporting), and the objects stored under the export's data folder. Any
 * difference is MANIFEST_TAMPERED, naming the first object or figure that differs.
 */
export async function crossCheckExport(catalog: Knex, store: ObjectStore, record: ExportRecord, manifest: Manifest): Promise<void> {
  const refuse = (what: string, details: Record<string, unknown>) => {
    throw new RestorepointError('MANIFEST_TAMPERED', `export "${record.id}": ${what}; the manifest, the catalog and the stored objects must agree`, { exportId: record.id, ...details });
  };
  if (manifest.exportId !== record.id) refuse(`its manifest names export "${manifest.exportId}"`, { manifest: manifest.exportId });
  const rows = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
  if (record.tablesCount !== null && record.tablesCount !== manifest.tables.length) {
    refuse(`the catalog records ${record.tablesCount} tables, the manifest lists ${manifest.tables.length}`, { catalog: record.tablesCount, manifest: manifest.tables.length });
  }
  if (record.rows !== null && record.rows !== rows) refuse(`the catalog records ${record.rows} rows, the manifest ${rows}`, { catalog: record.rows, manifest: rows });

  const { disagreements } = expectedObjects(await listFiles(catalog, record.id), fromFullManifest(manifest));
  if (disagreements.length > 0) {
    refuse(`${describeObjectVerdict(disagreements[0]!)}${disagreements.length > 1 ? ` (and ${disagreements.length - 1} more)` : ''}`, { key: disagreements[0]!.key });
  }
  const listed = new Set(manifest.tables.flatMap((t) => t.parts.map((p) => p.key)));
  for await (const object of store.list(`${objectNames.exportRoot(record.id)}/data/`)) {
    if (!listed.has(object.key)) refuse(`${object.key} is stored in its data folder but listed by neither the manifest nor the catalog`, { key: object.key });
  }
}
