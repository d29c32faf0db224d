import type { VerificationLevel } from './verification-level';

/** What an object is to its export: the manifest, a stored DDL section, or a data part. */
export type ObjectKind = 'manifest' | 'ddl' | 'part';

/** Whose record an object was compared with: the catalog (trusted) or the manifest (in the bucket). */
export type Expectation = 'catalog' | 'manifest';

/** The fields the catalog's `export_files` and the manifest both hold about a part. */
export type RecordedField = 'presence' | 'table' | 'partNo' | 'rows' | 'bytes' | 'sha256' | 'crc32c';

/**
 * One stored object's verdict, as data: what was expected and what was found. `unchanged`
 * means the object was not read again because it was verified before and the store reports
 * it untouched since; it counts as a pass.
 */
export type ObjectVerdict =
  | { readonly key: string; readonly kind: ObjectKind; readonly status: 'ok'; readonly bytes: number; readonly rows?: number }
  | { readonly key: string; readonly kind: ObjectKind; readonly status: 'unchanged'; readonly verifiedAt: string; readonly level: VerificationLevel }
  | { readonly key: string; readonly kind: ObjectKind; readonly status: 'missing' }
  | { readonly key: string; readonly kind: ObjectKind; readonly status: 'size mismatch'; readonly against: Expectation; readonly expected: number; readonly actual: number }
  | {
      readonly key: string;
      readonly kind: ObjectKind;
      readonly status: 'checksum mismatch';
      readonly against: Expectation;
      /** `row fingerprint`: the decompressed rows' order-independent hash (decode level). */
      readonly algorithm: 'sha256' | 'crc32c' | 'row fingerprint';
      readonly expected: string;
      readonly actual: string;
    }
  | { readonly key: string; readonly kind: ObjectKind; readonly status: 'row-count mismatch'; readonly against: Expectation; readonly expected: number; readonly actual: number }
  | { readonly key: string; readonly kind: ObjectKind; readonly status: 'decode error'; readonly message: string }
  /** Stored in the export's data folder, yet neither the catalog nor the manifest lists it (the third record: the store). */
  | { readonly key: string; readonly kind: ObjectKind; readonly status: 'unlisted' }
  | {
      readonly key: string;
      readonly kind: ObjectKind;
      readonly status: 'catalog mismatch';
      readonly field: RecordedField;
      readonly catalog: string | number | null;
      readonly manifest: string | number | null;
    };

export type ObjectStatus = ObjectVerdict['status'];

/** A passing verdict: read and found as recorded, or unchanged since such a read. */
export function objectPassed(verdict: ObjectVerdict): boolean {
  return verdict.status === 'ok' || verdict.status === 'unchanged';
}

/** One line naming the object and what differed, for reports, the ledger and errors. */
export function describeObjectVerdict(v: ObjectVerdict): string {
  switch (v.status) {
    case 'ok':
      return `${v.key}: ok (${v.bytes} bytes${v.rows === undefined ? '' : `, ${v.rows} rows`})`;
    case 'unchanged':
      return `${v.key}: unchanged since verified at level ${v.level} on ${v.verifiedAt}`;
    case 'missing':
      return `${v.key}: missing`;
    case 'size mismatch':
      return `${v.key}: size mismatch (the ${v.against} says ${v.expected} bytes, found ${v.actual})`;
    case 'checksum mismatch':
      return `${v.key}: ${v.algorithm} mismatch (the ${v.against} says ${v.expected}, found ${v.actual})`;
    case 'row-count mismatch':
      return `${v.key}: row-count mismatch (the ${v.against} says ${v.expected} rows, found ${v.actual})`;
    case 'decode error':
      return `${v.key}: decode error (${v.message})`;
    case 'unlisted':
      return `${v.key}: stored in the export's data folder but listed by neither the catalog nor the manifest`;
    case 'catalog mismatch':
      return v.field === 'presence'
        ? `${v.key}: listed by the ${v.catalog === null ? 'manifest' : 'catalog'} only (catalog ${v.catalog ?? 'none'}, manifest ${v.manifest ?? 'none'})`
        : `${v.key}: the catalog and the manifest disagree on ${v.field} (catalog ${v.catalog}, manifest ${v.manifest})`;
  }
}
