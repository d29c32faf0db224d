import type { ExportFileRecord } from '../../catalog/export-records';
import type { ManifestPart } from '../../core/manifest';
import type { Expectation, ObjectKind, ObjectVerdict, RecordedField } from '../../core/verification/object-verdict';
import type { VerifiableManifest } from './verifiable-manifest';

/** What one record (catalog or manifest) says an object holds. */
export interface RecordedObject {
  readonly bytes: number;
  readonly sha256: string;
  readonly crc32c?: string;
  readonly rows?: number;
  /** Of the decompressed rows (manifests that record one). */
  readonly fingerprint?: { readonly rows: number; readonly sum: string };
}

/** An object to read back, with every record of it; at least one of `catalog` and `manifest` is set. */
export interface ExpectedObject {
  readonly key: string;
  readonly kind: Exclude<ObjectKind, 'manifest'>;
  readonly table?: { readonly name: string; readonly columns: number; readonly partNo: number };
  readonly catalog?: RecordedObject;
  readonly manifest?: RecordedObject;
}

/** The records to compare an object with, the trusted catalog first. */
export function expectationsOf(o: ExpectedObject): readonly (readonly [Expectation, RecordedObject])[] {
  return [
    ...(o.catalog ? [['catalog', o.catalog] as const] : []),
    ...(o.manifest ? [['manifest', o.manifest] as const] : []),
  ];
}

/**
 * Every object an export should have: the union of the catalog's parts and the manifest's
 * parts and other files (the manifest may be absent when it is missing or unreadable). Where
 * the two records disagree about a part, that is a verdict of its own: one of them was edited.
 */
export function expectedObjects(files: readonly ExportFileRecord[], manifest: VerifiableManifest | undefined): { objects: ExpectedObject[]; disagreements: ObjectVerdict[] } {
  const fromManifest = new Map<string, { table: string; columns: number; part: ManifestPart }>();
  for (const t of manifest?.tables ?? []) {
    for (const part of t.parts) fromManifest.set(part.key, { table: t.name, columns: t.columns, part });
  }
  const fromCatalog = new Map(files.map((f) => [f.objectKey, f]));
  const disagreements: ObjectVerdict[] = [];
  const objects: ExpectedObject[] = [];
  const keys = [...new Set([...fromCatalog.keys(), ...fromManifest.keys()])].sort();
  for (const key of keys) {
    const c = fromCatalog.get(key);
    const m = fromManifest.get(key);
    const differ = (field: RecordedField, catalog: string | number | null, manifestValue: string | number | null) => {
      if (catalog !== manifestValue) disagreements.push({ key, kind: 'part', status: 'catalog mismatch', field, catalog, manifest: manifestValue });
    };
    if (!c || !m) differ('presence', c ? 'listed' : null, m ? 'listed' : null);
    if (c && m) {
      differ('table', c.tableName, m.table);
      differ('partNo', c.partNo, m.part.partNo);
      differ('rows', c.rows, m.part.rows);
      differ('bytes', c.bytes, m.part.bytes);
      differ('sha256', c.sha256, m.part.sha256);
      differ('crc32c', c.crc32c, m.part.crc32c);
    }
    objects.push({
      key,
      kind: 'part',
      // The manifest knows the columns; a part the manifest lacks can still be checksummed, not parsed.
      ...(m ? { table: { name: m.table, columns: m.columns, partNo: m.part.partNo } } : {}),
      ...(c ? { catalog: { bytes: c.bytes, sha256: c.sha256, crc32c: c.crc32c, rows: c.rows } } : {}),
      ...(m ? { manifest: { bytes: m.part.bytes, sha256: m.part.sha256, crc32c: m.part.crc32c, rows: m.part.rows, ...(m.part.fingerprint ? { fingerprint: m.part.fingerprint } : {}) } } : {}),
    });
  }
  for (const file of manifest?.files ?? []) objects.push({ key: file.key, kind: 'ddl', manifest: { bytes: file.bytes, sha256: file.sha256 } });
  return { objects, disagreements };
}
