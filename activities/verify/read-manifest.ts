import type { ExportRecord } from '../../catalog/export-records';
import { manifestSchema } from '../../core/manifest';
import { deltaManifestSchema } from '../../core/restore-points';
import type { ObjectVerdict } from '../../core/verification/object-verdict';
import type { ObjectStore } from '../../storage/object-store';
import { sha256Hex } from '../../streams/sha256';
import { fromDeltaManifest, fromFullManifest, type VerifiableManifest } from './verifiable-manifest';

/**
 * Reads an export's manifest and checks its own sha256 against the catalog. Unlike a
 * restore, verification goes on with a manifest that fails the check (if it still parses):
 * comparing it with the catalog's part records says what was edited.
 */
export async function readManifest(store: ObjectStore, record: ExportRecord & { manifestKey: string; manifestSha256: string }): Promise<{ verdict: ObjectVerdict; manifest?: VerifiableManifest; bytes?: Buffer }> {
  const key = record.manifestKey;
  const kind = 'manifest';
  const stat = await store.stat(key);
  if (!stat) return { verdict: { key, kind, status: 'missing' } };
  const bytes = await store.getBytes(key);
  const sha256 = sha256Hex(bytes);
  const hashVerdict: ObjectVerdict | undefined =
    sha256 === record.manifestSha256 ? undefined : { key, kind, status: 'checksum mismatch', against: 'catalog', algorithm: 'sha256', expected: record.manifestSha256, actual: sha256 };
  let parsed: { readonly exportId: string; readonly verifiable: VerifiableManifest };
  try {
    const json: unknown = JSON.parse(bytes.toString('utf8'));
    if (record.mode === 'incremental') {
      const delta = deltaManifestSchema.parse(json);
      parsed = { exportId: delta.exportId, verifiable: fromDeltaManifest(delta) };
    } else {
      const full = manifestSchema.parse(json);
      parsed = { exportId: full.exportId, verifiable: fromFullManifest(full) };
    }
  } catch (error) {
    return { verdict: hashVerdict ?? { key, kind, status: 'decode error', message: `not a manifest: ${(error as Error).message.slice(0, 300)}` } };
  }
  if (parsed.exportId !== record.id) {
    return { verdict: hashVerdict ?? { key, kind, status: 'decode error', message: `the manifest of export ${parsed.exportId}, not ${record.id}` } };
  }
  return { verdict: hashVerdict ?? { key, kind, status: 'ok', bytes: bytes.length }, manifest: parsed.verifiable, bytes };
}
