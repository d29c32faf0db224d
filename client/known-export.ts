import { getExport } from '../catalog/exports-repo';
import { openCatalog } from '../catalog/catalog-db';
import type { Config } from '../config/schema';
import { RestorepointError } from '../core/errors';

/**
 * Refuses an export id the catalog has never heard of (EXPORT_NOT_FOUND) before anything
 * starts: no workflow, no catalog row, no ledger entry. Used by every request that names an
 * existing export (restore, verify, an incremental export's parent). A client connected
 * without its configuration leaves the check to the worker, which makes it again.
 */
export async function assertExportKnown(config: Config | undefined, exportId: string, role: string): Promise<void> {
  if (!config) return;
  const db = openCatalog(config.catalog.url);
  try {
    if (!(await getExport(db, exportId))) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${exportId}" in the catalog (${role}); nothing was started`, { exportId });
  } finally {
    await db.destroy();
  }
}
