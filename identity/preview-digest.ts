import { createHash } from 'node:crypto';
import { canonicalJson } from '../catalog/ledger/canonical-json';
import type { RollbackPreview } from '../core/rollback/rollback-preview';

/**
 * The digest an approval names: sha256 of the preview's canonical JSON (sorted keys), the same
 * whether read from the workflow's status or from the catalog's record of it.
 */
export function previewDigest(preview: RollbackPreview): string {
  return createHash('sha256').update(canonicalJson(preview)).digest('hex');
}
