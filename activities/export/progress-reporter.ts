import { Context } from '@temporalio/activity';
import type { ExportProgress, TableProgress } from '../../core/export-progress';
import { exportProgressSignal } from '../../workflows/messages';

const HEARTBEAT_EVERY_MS = 1000;
const SIGNAL_EVERY_MS = 2000;

/**
 * Keeps per-table counters and, at a bounded rate, heartbeats the checkpoint (so a retry
 * resumes) and signals the progress to the export's workflow (so its query can answer).
 */
export class ProgressReporter<Checkpoint> {
  private readonly tables = new Map<string, { rows: number; bytes: number; estimatedRows: number; done: boolean }>();
  private lastHeartbeat = 0;
  private lastSignal = 0;
  private stage: ExportProgress['stage'] = 'starting';

  constructor(private readonly checkpoint: () => Checkpoint) {}

  track(table: string, estimatedRows: number): void {
    this.tables.set(table, { rows: 0, bytes: 0, estimatedRows, done: false });
  }

  add(table: string, rows: number, bytes: number): void {
    const entry = this.tables.get(table);
    if (!entry) return;
    entry.rows += rows;
    entry.bytes += bytes;
    this.tick();
  }

  finishTable(table: string, rows: number, bytes: number): void {
    const entry = this.tables.get(table);
    if (entry) Object.assign(entry, { rows, bytes, done: true });
    this.tick(true);
  }

  setStage(stage: ExportProgress['stage']): void {
    this.stage = stage;
    this.tick(true);
  }

  snapshot(): ExportProgress {
    const tables: TableProgress[] = [...this.tables].map(([table, t]) => ({ table, ...t }));
    return {
      stage: this.stage,
      tables,
      rows: tables.reduce((sum, t) => sum + t.rows, 0),
      bytes: tables.reduce((sum, t) => sum + t.bytes, 0),
      updatedAt: new Date().toISOString(),
    };
  }

  private tick(force = false): void {
    const now = Date.now();
    const context = Context.current();
    if (force || now - this.lastHeartbeat >= HEARTBEAT_EVERY_MS) {
      this.lastHeartbeat = now;
      context.heartbeat(this.checkpoint());
    }
    if (force || now - this.lastSignal >= SIGNAL_EVERY_MS) {
      this.lastSignal = now;
      const execution = context.info.workflowExecution;
      if (!execution) return;
      const { workflowId, runId } = execution;
      // Progress is advisory: a failed signal must never fail the export.
      Promise.resolve()
        .then(() => context.client.workflow.getHandle(workflowId, runId).signal(exportProgressSignal, this.snapshot()))
        .catch(() => undefined);
    }
  }
}
