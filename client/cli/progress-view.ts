import type { ExportProgress } from '../../core/export-progress';

const MB = 1024 * 1024;

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Renders an export's progress as one line per table: rows, MB, rate and an ETA from the
 * planner's row estimate. Rates are measured between two renders, per table.
 */
export class ProgressView {
  private readonly seen = new Map<string, { rows: number; at: number }>();
  private readonly started = Date.now();
  private linesDrawn = 0;

  render(progress: ExportProgress): string {
    const now = Date.now();
    const lines = progress.tables.map((t) => {
      const first = this.seen.get(t.table) ?? { rows: 0, at: this.started };
      if (!this.seen.has(t.table)) this.seen.set(t.table, first);
      const rate = t.rows / Math.max(0.001, (now - first.at) / 1000);
      const eta = t.done ? 'done' : t.estimatedRows > t.rows ? `eta ${formatDuration((t.estimatedRows - t.rows) / Math.max(rate, 1))}` : '';
      return `${t.table.padEnd(32)} ${String(t.rows).padStart(12)} rows ${(t.bytes / MB).toFixed(1).padStart(9)} MB ${Math.round(rate).toString().padStart(9)} rows/s  ${eta}`;
    });
    if (progress.scope) lines.unshift(`scope: ${progress.scope}`);
    lines.push(`${progress.stage.padEnd(32)} ${String(progress.rows).padStart(12)} rows ${(progress.bytes / MB).toFixed(1).padStart(9)} MB  elapsed ${formatDuration((now - this.started) / 1000)}`);
    return lines.join('\n');
  }

  /** Redraws in place on a terminal. */
  draw(progress: ExportProgress, out: NodeJS.WriteStream = process.stderr): void {
    const text = this.render(progress);
    if (this.linesDrawn > 0) out.write(`\x1b[${this.linesDrawn}A\x1b[0J`);
    out.write(`${text}\n`);
    this.linesDrawn = text.split('\n').length;
  }
}
