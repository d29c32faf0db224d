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
  tableFolder: (exportId: string, schema: string, table: string) => `${exportId}/data/${tableSegment(schema, table)}/`,
  part: (exportId: string, schema: string, table: string, partNo: number, format: ExportFormat, compression: Compression) =>
    `${objectNames.tableFolder(exportId, schema, table)}part-${String(partNo).padStart(5, '0')}.${format}${compressionSuffix[compression]}`,
  /** The folder of a whole-database export's large objects: outside `data/`, since they are no table's. */
  largeObjectsFolder: (exportId: string) => `${exportId}/large-objects/`,
  /** Large objects travel as CSV rows whatever the export's format (core/manifest.ts `largeObjects`). */
  largeObjectPart: (exportId: string, partNo: number, compression: Compression) =>
    `${objectNames.largeObjectsFolder(exportId)}part-${String(partNo).padStart(5, '0')}.csv${compressionSuffix[compression]}`,
  /** A part of one ctid page range of a table read in ranges: the range's index names it, so a retry writes the same key. */
  rangePart: (exportId: string, schema: string, table: string, range: number, partNo: number, format: ExportFormat, compression: Compression) =>
    `${objectNames.tableFolder(exportId, schema, table)}range-${String(range).padStart(3, '0')}-part-${String(partNo).padStart(5, '0')}.${format}${compressionSuffix[compression]}`,
};

const compressionSuffix: Record<Compression, string> = { zstd: '.zst', gzip: '.gz', none: '' };

const SAFE_BYTE = /^[A-Za-z0-9_-]$/;

/** Folders and files hold at most 255 bytes a name on common file systems (the local store, fake-gcs-server's). */
const MAX_SEGMENT_BYTES = 200;

/**
 * `schema.table`, each part encoded. Two 63-byte non-ASCII names encode to up to 379 bytes,
 * more than a file system takes for one name: such a segment keeps its first bytes (cut
 * between escapes) and ends with `~` and a 64-bit hash of both names. `~` never appears in an
 * encoded name, so a shortened segment never equals a whole one.
 */
function tableSegment(schema: string, table: string): string {
  const whole = `${encodeNamePart(schema)}.${encodeNamePart(table)}`;
  if (whole.length <= MAX_SEGMENT_BYTES) return whole;
  const cut = whole.slice(0, MAX_SEGMENT_BYTES - 17).replace(/%[0-9A-F]?$/, '');
  return `${cut}~${nameHash(`${schema}\u0000${table}`)}`;
}

/** Two FNV-1a 32-bit hashes of the UTF-8 bytes with different offsets: 16 hex digits. Pure, so workflows may call it. */
function nameHash(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const fnv = (offset: number) => {
    let hash = offset;
    for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    return hash.toString(16).padStart(8, '0');
  };
  return `${fnv(0x811c9dc5)}${fnv(0x050c5d1f)}`;
}

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
