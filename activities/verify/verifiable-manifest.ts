import type { Compression, ExportFormat } from '../../core/export-input';
import type { Manifest, ManifestPart } from '../../core/manifest';
import { DELTA_TABLE_KEY, type DeltaManifest } from '../../core/restore-points';

/** One group of parts with a known row total: a table of a full export, or a delta's trail. */
export interface VerifiableTable {
  /** As the catalog's `export_files.table_name` holds it. */
  readonly name: string;
  /** Fields per CSV row (data columns; generated columns are not exported). */
  readonly columns: number;
  readonly rows: number;
  readonly parts: readonly ManifestPart[];
}

/**
 * What verification needs from either kind of manifest. A full export's restore level also
 * needs the full manifest; a delta has none, as it is only restored through its chain.
 */
export interface VerifiableManifest {
  readonly format: ExportFormat;
  readonly compression: Compression;
  readonly tables: readonly VerifiableTable[];
  /** Stored files that are not a table's parts (a full export's DDL sections and large objects). */
  readonly files: readonly { readonly key: string; readonly bytes: number; readonly sha256: string }[];
  /** The objects are encrypted under the export's data key: decoding needs it, checksums do not. */
  readonly encrypted: boolean;
  readonly full?: Manifest;
}

export function fromFullManifest(m: Manifest): VerifiableManifest {
  return {
    format: m.format,
    compression: m.compression,
    tables: m.tables.map((t) => ({ name: `${t.schema}.${t.name}`, columns: t.columns.filter((c) => c.generated === null).length, rows: t.rows, parts: t.parts })),
    // Large-object parts are checked against the manifest like the DDL: they are no table's rows.
    files: [m.ddl.preData, m.ddl.postData, ...(m.largeObjects?.parts ?? [])],
    encrypted: m.encryption !== null,
    full: m,
  };
}

/** A delta's parts are the trail entries of its range, one JSON object per line. */
export function fromDeltaManifest(d: DeltaManifest): VerifiableManifest {
  return { format: d.format, compression: d.compression, tables: [{ name: DELTA_TABLE_KEY, columns: 1, rows: d.trail.entries, parts: d.parts }], files: [], encrypted: d.encryption !== null };
}
