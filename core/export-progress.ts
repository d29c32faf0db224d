/** Progress of one export, as its activity reports it and the workflow's query returns it. */
export interface TableProgress {
  readonly table: string;
  readonly rows: number;
  readonly bytes: number;
  /** pg_class.reltuples at start: an estimate, for a rate and an ETA only. */
  readonly estimatedRows: number;
  readonly done: boolean;
}

export interface ExportProgress {
  readonly stage: 'starting' | 'copying' | 'writing-manifest' | 'finished' | 'failed';
  /** What the export covers (core/export-scope.ts describeScope); absent until the tables are planned. */
  readonly scope?: string;
  readonly tables: readonly TableProgress[];
  readonly rows: number;
  readonly bytes: number;
  readonly updatedAt: string;
}

export const EMPTY_PROGRESS: ExportProgress = { stage: 'starting', tables: [], rows: 0, bytes: 0, updatedAt: '' };
