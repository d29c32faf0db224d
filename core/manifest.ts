import { z } from 'zod';
import { compressionSchema, exportFormatSchema, tagsSchema } from './export-input';
import { manifestMaskingSchema } from './masking/masking-profile';

export const MANIFEST_VERSION = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const partSchema = z.object({
  key: z.string(),
  partNo: z.number().int().min(0),
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  /** Of the stored object, as written: compressed (and, later, encrypted) bytes. */
  sha256: sha256Hex,
  /** Base64 big-endian CRC32C of the stored object, the form GCS reports. */
  crc32c: z.string(),
  /** The part's rows as `RowFingerprint` hashes them (optional: older and Parquet exports have none). */
  fingerprint: z.object({ rows: z.number().int().min(0), sum: z.string().regex(/^[0-9a-f]{16}$/) }).optional(),
});
export type ManifestPart = z.infer<typeof partSchema>;

/**
 * A table's rows, counted and hashed independently of their order (streams/row-fingerprint):
 * `over` is the COPY output hashed (`csv`: `COPY t (exported columns) TO STDOUT (FORMAT csv)`
 * under postgres/session-settings' EXPORT_SESSION_SETTINGS; `jsonl`: the jsonl export's
 * COPY, quote byte 0x01). A restored copy of the table, copied out the same way, must give
 * the same rows and sum.
 */
export const tableFingerprintSchema = z.object({
  algorithm: z.literal('fnv1a-fmix32x2-sum64'),
  over: z.enum(['csv', 'jsonl']),
  rows: z.number().int().min(0),
  sum: z.string().regex(/^[0-9a-f]{16}$/),
});
export type TableFingerprint = z.infer<typeof tableFingerprintSchema>;

export const columnSchema = z.object({
  name: z.string(),
  /** format_type(): the type with its modifiers, e.g. `numeric(12,2)`, `character varying(45)`. */
  type: z.string(),
  nullable: z.boolean(),
  default: z.string().nullable(),
  /** Generated columns are described, never exported as data. */
  generated: z.string().nullable(),
  identity: z.enum(['always', 'by default']).nullable(),
  /**
   * Its type casts to JSON as something its input does not read back (hstore becomes an object):
   * JSON lines carry its text form instead. Absent means false.
   */
  jsonlText: z.literal(true).optional(),
});
export type ManifestColumn = z.infer<typeof columnSchema>;

export const foreignKeySchema = z.object({
  name: z.string(),
  columns: z.array(z.string()),
  referencedSchema: z.string(),
  referencedTable: z.string(),
  referencedColumns: z.array(z.string()),
  deferrable: z.boolean(),
});
export type ManifestForeignKey = z.infer<typeof foreignKeySchema>;

export const tableSchema = z.object({
  schema: z.string(),
  name: z.string(),
  /** `partitioned`: rows of every partition, exported once through the root. */
  kind: z.enum(['table', 'partitioned']),
  /** Columns as exported, in the order of the data files. */
  columns: z.array(columnSchema),
  primaryKey: z.array(z.string()),
  foreignKeys: z.array(foreignKeySchema),
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  parts: z.array(partSchema),
  /** Optional: manifests written before it existed, and Parquet exports, have none. */
  fingerprint: tableFingerprintSchema.optional(),
});
export type ManifestTable = z.infer<typeof tableSchema>;

/** One column of a Parquet part: its PostgreSQL type, the Parquet (DuckDB) type and how values travel (docs/parquet.md). */
export const parquetColumnSchema = z.object({
  name: z.string(),
  pgType: z.string(),
  parquetType: z.string(),
  encoding: z.enum(['native', 'epoch-days', 'epoch-micros', 'hex', 'text']),
});
export type ParquetColumn = z.infer<typeof parquetColumnSchema>;

/** Present on Parquet exports: the writer and, per table (`schema.name`), the type mapping used. */
export const parquetMappingSchema = z.object({
  writer: z.string(),
  tables: z.record(z.string(), z.array(parquetColumnSchema)),
});
export type ParquetMapping = z.infer<typeof parquetMappingSchema>;

export const sequenceSchema = z.object({
  schema: z.string(),
  name: z.string(),
  lastValue: z.string(),
  isCalled: z.boolean(),
});
export type ManifestSequence = z.infer<typeof sequenceSchema>;

export const storedFileSchema = z.object({ key: z.string(), bytes: z.number().int(), sha256: sha256Hex });

/**
 * The audit ledger's head when the manifest was written, also stored as an anchor object beside
 * the export (docs/audit-ledger.md): `catalog` names the ledger, `seq` and `hash` its newest entry.
 */
export const ledgerAnchorSchema = z.object({ catalog: z.string(), seq: z.number().int().min(1), hash: sha256Hex });
export type ManifestLedgerAnchor = z.infer<typeof ledgerAnchorSchema>;

/** What a full export covers (core/export-scope.ts): `schemas` as resolved, `tables` and `exclude` as asked. */
export const exportScopeSchema = z.object({
  /** Narrowed by --schemas, --tables or --exclude: never a full restore point. */
  partial: z.boolean(),
  schemas: z.array(z.string()),
  tables: z.array(z.string()),
  exclude: z.array(z.string()),
});
export type ManifestScope = z.infer<typeof exportScopeSchema>;

/** A materialized view: created empty by the DDL, refreshed after the rows load when it was populated at export, as pg_restore does. */
export const materializedViewSchema = z.object({ schema: z.string(), name: z.string(), populated: z.boolean() });

/**
 * A whole-database export's large objects (pg_largeobject), as one stream of CSV rows
 * `loid,offset,\x<hex bytes>` cut into parts like a table's (checksummed, compressed,
 * encrypted), whatever the export's format. Every object has a row at offset 0 (an empty one
 * only that row), so `objects` is the count of those rows; `bytes` is the objects' total size.
 * Absent: the export holds none (a narrowed export never does, as with pg_dump -n).
 */
export const largeObjectsSchema = z.object({
  objects: z.number().int().min(0),
  bytes: z.number().int().min(0),
  parts: z.array(partSchema),
});
export type ManifestLargeObjects = z.infer<typeof largeObjectsSchema>;

/** How an export's objects are encrypted: the scheme and the key-encryption key's id, never a key; null when they are not. */
export const manifestEncryptionSchema = z.object({ scheme: z.literal('aes-256-gcm-chunked-v1'), keyId: z.string().min(1) }).nullable();

/** The manifest: written last, after every part is stored; its own sha256 is kept in the catalog. */
export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  exportId: z.string(),
  mode: z.enum(['full']),
  createdAt: z.string(),
  tool: z.object({ name: z.literal('restorepoint'), version: z.string() }),
  source: z.object({
    name: z.string(),
    database: z.string(),
    serverVersion: z.string(),
    systemIdentifier: z.string(),
  }),
  snapshot: z.object({ txidSnapshot: z.string(), lsn: z.string().nullable(), takenAt: z.string() }),
  format: exportFormatSchema,
  compression: compressionSchema,
  /**
   * Client-side encryption of the export's objects (crypto/chunked-aead.ts): the scheme and the id
   * of the key-encryption key that wraps the export's data key, never a key. null: stored as
   * compressed, unencrypted (older exports, and `--no-encryption`).
   */
  encryption: manifestEncryptionSchema,
  /**
   * Encrypted exports: the manifest's values that may come from the data (column defaults and
   * generation expressions, sequences' last values), encrypted (base64), placeholders in their
   * place (crypto/manifest-seal.ts). Absent otherwise.
   */
  sealed: z.string().optional(),
  tags: tagsSchema,
  /** Optional: manifests written before it existed exported the schemas asked for (by default `public`). */
  scope: exportScopeSchema.optional(),
  /** Schema-only DDL of the exported schemas, split as pg_dump's sections, to restore into an empty database. */
  ddl: z.object({ preData: storedFileSchema, postData: storedFileSchema }),
  tables: z.array(tableSchema),
  /** Parquet exports only (optional: older manifests and other formats have none). */
  parquet: parquetMappingSchema.optional(),
  sequences: z.array(sequenceSchema),
  /** Optional: manifests written before anchoring existed, and exports into an empty ledger, have none. */
  ledger: ledgerAnchorSchema.optional(),
  /**
   * Present on a masked export (`export --mask`, docs/masking.md): its rows are not the source's,
   * so it is never a restore point and is restored only into a scratch (`local:`) target.
   */
  masking: manifestMaskingSchema.optional(),
  /** Optional: manifests written before it existed, and exports without large objects, have none. */
  largeObjects: largeObjectsSchema.optional(),
  /** Optional: manifests written before it existed list none (their views restored empty). */
  materializedViews: z.array(materializedViewSchema).optional(),
  timings: z.object({ startedAt: z.string(), finishedAt: z.string(), durationMs: z.number() }),
});
export type Manifest = z.infer<typeof manifestSchema>;
