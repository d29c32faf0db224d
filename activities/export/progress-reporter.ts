import { Context } from '@temporalio/activity';
import type { ExportProgress, TableProgress } from '../../core/export-progress';

const HEARTBEAT_EVERY_MS = 1000;

/**
 * What the export activity heartbeats: its checkpoint (a retry resumes from it) with the
 * progress beside it. Heartbeats never enter workflow history, so a long export or one of a
 * thousand tables adds no events; the client reads the pending activity's last details.
 */
export type ProgressHeartbeat<Checkpoint> = Checkpoint & { readonly progress: ExportProgress };

/**
 * Keeps per-table counters and, at a bounded rate, heartbeats them with the checkpoint. The
 * worker's heartbeat throttle (create-worker.ts) decides how often they reach the server.
 */
export class ProgressReporter<Checkpoint extends object> {
  private readonly tables = new Map<string, { rows: number; bytes: number; estimatedRows: number; done: boolean }>();
  private lastHeartbeat = 0;
  private stage: ExportProgress['stage'] = 'starting';
  private scope: string | undefined;

  constructor(private readonly checkpoint: () => Checkpoint) {}

  track(table: string, estimatedRows: number): void {
    this.tables.set(table, { rows: 0, bytes: 0, estimatedRows, done: false });
  }

  has(table: string): boolean {
    return this.tables.has(table);
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

  setScope(scope: string): void {
    this.scope = scope;
  }

  setStage(stage: ExportProgress['stage']): void {
    this.stage = stage;
    this.tick(true);
  }

  /** Heartbeats now (an activity waiting on others: the server must still hear from it, and it hears of its cancellation). */
  beat(): void {
    this.tick(true);
  }

  snapshot(): ExportProgress {
    const tables: TableProgress[] = [...this.tables].map(([table, t]) => ({ table, ...t }));
    return {
      stage: this.stage,
      ...(this.scope ? { scope: this.scope } : {}),
      tables,
      rows: tables.reduce((sum, t) => sum + t.rows, 0),
      bytes: tables.reduce((sum, t) => sum + t.bytes, 0),
      updatedAt: new Date().toISOString(),
    };
  }

  private tick(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastHeartbeat < HEARTBEAT_EVERY_MS) return;
    this.lastHeartbeat = now;
    const details: ProgressHeartbeat<Checkpoint> = { ...this.checkpoint(), progress: this.snapshot() };
    Context.current().heartbeat(details);
  }
}
