import { getExport } from '../../catalog/exports-repo';
import { loadVerifiedManifest } from '../restore/load-manifest';
import type { ActivityDeps } from '../deps';
import type { ExportDataResult } from './export-data';

/**
 * The result of an export that already succeeded, read back from its (verified) manifest;
 * undefined when it has not. Running a finished export again must change nothing: no new
 * snapshot, no object rewritten, the same manifest and the same answer.
 */
export async function finishedExportResult(deps: ActivityDeps, exportId: string): Promise<ExportDataResult | undefined> {
  const record = await getExport(deps.catalog, exportId);
  if (record?.status !== 'succeeded') return undefined;
  const { manifest } = await loadVerifiedManifest(deps, exportId);
  return {
    manifestKey: record.manifestKey!,
    manifestSha256: record.manifestSha256!,
    tables: manifest.tables.length,
    rows: manifest.tables.reduce((s, t) => s + t.rows, 0),
    bytes: manifest.tables.reduce((s, t) => s + t.bytes, 0),
    parts: manifest.tables.reduce((s, t) => s + t.parts.length, 0),
    txidSnapshot: manifest.snapshot.txidSnapshot,
  };
}
