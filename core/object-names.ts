import type { Compression, ExportFormat } from './export-input';

/**
 * Deterministic object names: a retried activity writes the same keys again, so a retry
 * overwrites rather than duplicates, and nothing needs a random suffix. Keys are relative
 * to the destination's prefix.
 */
export const objectNames = {
  exportRoot: (exportId: string) => `${exportId}`,
  manifest: (exportId: string) => `${exportId}/manifest.json`,
  ddl: (exportId: string, section: 'pre-data' | 'post-data') => `${exportId}/schema/${section}.sql`,
  part: (exportId: string, schema: string, table: string, partNo: number, format: ExportFormat, compression: Compression) =>
    `${exportId}/data/${encodeURIComponent(schema)}.${encodeURIComponent(table)}/part-${String(partNo).padStart(5, '0')}.${format}${compressionSuffix[compression]}`,
};

const compressionSuffix: Record<Compression, string> = { zstd: '.zst', gzip: '.gz', none: '' };
