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
  /** The folder of one table's parts, ending with `/`. */
  tableFolder: (exportId: string, schema: string, table: string) => `${exportId}/data/${encodeNamePart(schema)}.${encodeNamePart(table)}/`,
  part: (exportId: string, schema: string, table: string, partNo: number, format: ExportFormat, compression: Compression) =>
    `${objectNames.tableFolder(exportId, schema, table)}part-${String(partNo).padStart(5, '0')}.${format}${compressionSuffix[compression]}`,
};

const compressionSuffix: Record<Compression, string> = { zstd: '.zst', gzip: '.gz', none: '' };

const SAFE_BYTE = /^[A-Za-z0-9_-]$/;

/**
 * One identifier as a key fragment: letters, digits, `_` and `-` stay, every other UTF-8
 * byte becomes `%XX` (the `.` between schema and table and the `%` itself included). The
 * encoding is injective, so `"a.b"."c"` and `"a"."b.c"` get different folders, and no
 * fragment can start with `.` (`.~` segments are reserved by the stores) or hold `/`.
 * encodeURIComponent leaves `.`, `~`, `*`, `'`, `!`, `(`, `)` as they are, hence this.
 */
export function encodeNamePart(identifier: string): string {
  let out = '';
  for (const char of identifier) {
    if (SAFE_BYTE.test(char)) {
      out += char;
      continue;
    }
    for (const byte of new TextEncoder().encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
