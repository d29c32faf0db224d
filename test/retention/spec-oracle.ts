/**
 * The retention rules restated as plainly as possible, independently of core/retention, so
 * property tests check the planner against the specification rather than against itself.
 */
import type { ExportSummary, RetentionPolicy } from '../../core/retention';

const DAY = 86_400_000;

export function inScope(e: ExportSummary, policy: RetentionPolicy): boolean {
  const { sources, environments, dataDomains } = policy.scope;
  const matches = (allowed: readonly string[] | undefined, value: string | undefined): boolean =>
    allowed === undefined || (value !== undefined && allowed.includes(value));
  return matches(sources, e.source) && matches(environments, e.tags.environment) && matches(dataDomains, e.tags.dataDomain);
}

/** Everything restoring `e` reads: the transitive closure over parent and base links, `e` excluded. */
export function ancestors(e: ExportSummary, all: readonly ExportSummary[]): ExportSummary[] {
  const found = new Map<string, ExportSummary>();
  const todo = [e];
  while (todo.length > 0) {
    const current = todo.pop() as ExportSummary;
    for (const id of [current.parentExportId, current.baseExportId]) {
      const next = all.find((x) => x.id === id);
      if (next && next.id !== e.id && !found.has(next.id)) {
        found.set(next.id, next);
        todo.push(next);
      }
    }
  }
  return [...found.values()];
}

/** Succeeded, not corrupt, and so is every parent up to a full export that is the delta's named base. */
export function restorable(e: ExportSummary, all: readonly ExportSummary[]): boolean {
  const seen = new Set<string>();
  let current: ExportSummary | undefined = e;
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    if (current.status !== 'succeeded' || current.verificationStatus === 'corrupt') return false;
    if (current.mode === 'full') return e.mode === 'full' || allNameBase(e, current.id, all);
    const parentId: string | null = current.parentExportId;
    current = all.find((x) => x.id === parentId);
  }
  return false;
}

function allNameBase(e: ExportSummary, baseId: string, all: readonly ExportSummary[]): boolean {
  for (let x: ExportSummary | undefined = e; x && x.mode === 'incremental'; x = all.find((p) => p.id === x?.parentExportId)) {
    if (x.baseExportId !== null && x.baseExportId !== baseId) return false;
  }
  return true;
}

/**
 * Holds every table of its source: not a partial export or a rollback's safety snapshot, and
 * neither is the full export its parents lead to.
 */
export function coversSource(e: ExportSummary, all: readonly ExportSummary[]): boolean {
  const seen = new Set<string>();
  let current: ExportSummary | undefined = e;
  while (current && current.mode === 'incremental' && !seen.has(current.id)) {
    seen.add(current.id);
    const parentId: string | null = current.parentExportId;
    current = all.find((x) => x.id === parentId);
  }
  return current?.mode === 'full' && current.role === 'backup' && !current.partial;
}

/** What keep-last and GFS count: restorable, and every table of the source comes back. */
export function restorePoint(e: ExportSummary, all: readonly ExportSummary[]): boolean {
  return restorable(e, all) && coversSource(e, all);
}

/** A full export that holds only some tables: `export --tables` or a rollback's safety snapshot. */
export function partialFull(e: ExportSummary): boolean {
  return e.mode === 'full' && (e.partial || e.role === 'safety-snapshot');
}

export const createdMs = (e: ExportSummary): number => Date.parse(e.createdAt);

/** Newest first, ties by id descending: the order "newest" means throughout. */
export function newestFirst(exports: readonly ExportSummary[]): ExportSummary[] {
  return [...exports].sort((a, b) => createdMs(b) - createdMs(a) || (a.id < b.id ? 1 : -1));
}

export type Level = 'daily' | 'weekly' | 'monthly' | 'yearly';

/** A key naming the UTC period of `ms`, and the keys of the `count` periods ending with the one holding `now`. */
export function periodKey(level: Level, ms: number): string {
  const d = new Date(ms);
  switch (level) {
    case 'daily':
      return d.toISOString().slice(0, 10);
    case 'weekly':
      return new Date(ms - ((d.getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10);
    case 'monthly':
      return d.toISOString().slice(0, 7);
    case 'yearly':
      return d.toISOString().slice(0, 4);
  }
}

export function windowKeys(level: Level, now: number, count: number): Set<string> {
  const keys = new Set<string>();
  const d = new Date(now);
  for (let k = 0; k < count; k++) {
    switch (level) {
      case 'daily':
        keys.add(periodKey(level, now - k * DAY));
        break;
      case 'weekly':
        keys.add(periodKey(level, now - k * 7 * DAY));
        break;
      case 'monthly':
        keys.add(periodKey(level, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k, 1)));
        break;
      case 'yearly':
        keys.add(periodKey(level, Date.UTC(d.getUTCFullYear() - k, 0, 1)));
        break;
    }
  }
  return keys;
}
