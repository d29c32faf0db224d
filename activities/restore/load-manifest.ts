import { getExport } from '../../catalog/exports-repo';
import type { ExportRecord } from '../../catalog/export-records';
import { RestorepointError } from '../../core/errors';
import { manifestSchema, type Manifest } from '../../core/manifest';
import type { ObjectStore } from '../../storage/object-store';
import { sha256Hex } from '../../streams/sha256';
import { keyProviderOf, type ActivityDeps } from '../deps';
import { cipherOf, getExportKey } from '../../crypto/export-keys';
import type { ObjectCipher } from '../../crypto/object-cipher';
import { unsealManifest } from '../../crypto/manifest-seal';
import { crossCheckExport } from './cross-check';

export interface VerifiedManifest {
  readonly record: ExportRecord;
  readonly manifest: Manifest;
  readonly store: ObjectStore;
  /** The export's data key, when its objects are encrypted. */
  readonly cipher?: ObjectCipher;
}

/**
 * Reads an export's manifest and proves it is the one the export wrote: its sha256 must
 * equal the hash kept in the catalog, a separate database an attacker of the bucket
 * cannot edit, and the manifest, the catalog's other records and the stored objects must
 * agree (cross-check.ts). Everything that reads an export starts here.
 */
export async function loadVerifiedManifest(deps: ActivityDeps, exportId: string): Promise<VerifiedManifest> {
  const record = await getExport(deps.catalog, exportId);
  if (!record) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${exportId}" in the catalog`, { exportId });
  if (record.status !== 'succeeded' || !record.manifestKey || !record.manifestSha256) {
    throw new RestorepointError('EXPORT_NOT_FOUND', `export "${exportId}" is ${record.status}, not a finished export`, { exportId, status: record.status });
  }
  const store = deps.openStore(record.destination);
  const stat = await store.stat(record.manifestKey);
  if (!stat) throw new RestorepointError('OBJECT_MISSING', `manifest ${record.manifestKey} of export "${exportId}" is missing`, { exportId, key: record.manifestKey });
  const bytes = await store.getBytes(record.manifestKey);
  const actual = sha256Hex(bytes);
  if (actual !== record.manifestSha256) {
    throw new RestorepointError('MANIFEST_TAMPERED', `manifest ${record.manifestKey} of export "${exportId}" does not match the catalog (sha256 ${actual}, expected ${record.manifestSha256})`, {
      exportId,
      key: record.manifestKey,
      expected: record.manifestSha256,
      actual,
    });
  }
  const stored = manifestSchema.parse(JSON.parse(bytes.toString('utf8')));
  const cipher = await manifestCipher(deps, exportId, record.manifestKey, stored, bytes);
  const manifest = cipher ? unsealManifest(stored, cipher, record.manifestKey) : stored;
  await crossCheckExport(deps.catalog, store, record, manifest);
  return { record, manifest, store, ...(cipher ? { cipher } : {}) };
}

/**
 * The data key of an encrypted export, once its manifest is proven written with it: the MAC the
 * catalog holds must match (a manifest re-hashed by someone without the key does not), and a
 * manifest saying "unencrypted" for an export that has a data key is an edit, not an old export.
 * KEY_DESTROYED once shredded, KEY_MISSING without a key record or key-encryption key.
 */
export async function manifestCipher(deps: ActivityDeps, exportId: string, key: string, manifest: Pick<Manifest, 'encryption'>, bytes: Buffer): Promise<ObjectCipher | undefined> {
  const keyRecord = await getExportKey(deps.catalog, exportId);
  if (!manifest.encryption) {
    if (keyRecord) throw new RestorepointError('MANIFEST_TAMPERED', `manifest ${key} of export "${exportId}" says it is unencrypted, but the export was written encrypted`, { exportId, key });
    return undefined;
  }
  const cipher = await cipherOf(deps.catalog, keyProviderOf(deps), exportId);
  if (!keyRecord?.manifestMac || !cipher.manifestMacMatches(bytes, keyRecord.manifestMac)) {
    throw new RestorepointError('MANIFEST_TAMPERED', `manifest ${key} of export "${exportId}" is not authenticated by the export's data key: it was edited; nothing was read`, { exportId, key });
  }
  return cipher;
}
