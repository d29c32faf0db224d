/**
 * A split table's ctid page ranges as activities of their own (issue 16 item 3): what the
 * snapshot holder (the export's data activity) tells its workflow, and what the workflow hands
 * each range activity and back. Names, page numbers, counts and checksums only: no row value.
 *
 * Pure module: imported by workflows.
 */
import type { ManifestPart } from './manifest';

/** One range to read: which table, which heap pages, which columns, and what names its parts. */
export interface ExportRangeUnit {
  /** The holder's unit key (table key, range index and pages): the range's checkpoint name. */
  readonly key: string;
  /** `schema.name`, the catalog's table key. */
  readonly table: string;
  readonly ref: { readonly schema: string; readonly name: string; readonly kind: 'table' | 'partitioned' };
  readonly index: number;
  readonly pages: { readonly from: number; readonly to: number | null };
  readonly columns: readonly string[];
  readonly jsonlText: readonly string[];
}

/**
 * The holder's snapshot and the ranges to read under it. A new `snapshotId` (the holder's
 * worker died and its retry opened another snapshot) voids every range read under the old one.
 */
export interface ExportRangePlan {
  readonly snapshotId: string;
  readonly txidSnapshot: string;
  /** The source cluster and database the snapshot lives in: a range worker whose source reaches another one refuses. */
  readonly systemIdentifier: string;
  readonly database: string;
  readonly partSizeBytes: number;
  /** Each range's share of the export's byte rate limit, when it has one. */
  readonly maxBytesPerSecond?: number;
  readonly ranges: readonly ExportRangeUnit[];
}

/** What the holder polls: the plan the workflow runs now, each range with its parts once finished. */
export interface ExportRangesState {
  readonly snapshotId: string | null;
  readonly ranges: readonly { readonly key: string; readonly table: string; readonly index: number; readonly parts: readonly ManifestPart[] | null }[];
}

/** One range activity's input: the export's identity and options, the plan's snapshot, one unit. */
export interface ExportRangeInput {
  readonly exportId: string;
  readonly source: string;
  readonly destination: string;
  readonly format: 'csv' | 'jsonl' | 'parquet';
  readonly compression: 'zstd' | 'gzip' | 'none';
  readonly encrypt: boolean;
  readonly plan: Omit<ExportRangePlan, 'ranges'>;
  readonly unit: ExportRangeUnit;
}
