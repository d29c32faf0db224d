import { baseShortfall, describeWanted } from './chain-base';
import { continues, type ChainLink } from './chain-link';
import type { RestorePlanResult, TrailTail } from './restore-plan';

const time = (iso: string) => Date.parse(iso);

/**
 * Resolves a point in time to a restore chain (pure). The base is the newest finished full
 * export of the source taken at or before `at` that has a trail position, is not corrupt and
 * can be a base for `tables` (chain-base.ts: a backup holding those tables; with none named,
 * one taken without a table selection). From it, incremental exports are followed child by
 * child (each must continue its parent's trail range exactly) while they are at or before
 * `at`. The next one, if any, supplies the remaining entries from its archive; otherwise they
 * come from the source's live trail. When `at` is exactly an export's moment, nothing more is applied.
 */
export function planRestorePoint(links: readonly ChainLink[], source: string, at: string, tables: readonly string[] = []): RestorePlanResult {
  const when = time(at);
  if (Number.isNaN(when)) return { ok: false, problem: `not a time: ${at}` };
  // A corrupt export (found by verification) is skipped: an older full becomes the base, and
  // a chain stops before a corrupt delta and continues from the live trail.
  const finished = links.filter((l) => l.source === source && l.status === 'succeeded' && l.verificationStatus !== 'corrupt' && l.asOf !== null && l.trailTo !== null);
  const candidates = finished
    .filter((l) => l.mode === 'full' && l.txidSnapshot !== null && time(l.asOf!) <= when)
    .sort((a, b) => time(b.asOf!) - time(a.asOf!) || b.exportId.localeCompare(a.exportId));
  if (candidates.length === 0) return { ok: false, problem: `no finished full export of ${source} with a trail position was taken at or before ${at}` };
  // A newer export that lacks tables (a partial export, a rollback's safety snapshot) is passed over, never silently used.
  const base = candidates.find((l) => baseShortfall(l, tables) === null);
  if (!base) {
    const why = candidates.slice(0, 3).map((l) => baseShortfall(l, tables)).join('; ');
    return { ok: false, problem: `no full export of ${source} taken at or before ${at} holds ${describeWanted(tables)}: ${why}${candidates.length > 3 ? `; and ${candidates.length - 3} older` : ''}` };
  }

  const children = new Map<string, ChainLink[]>();
  for (const l of finished) {
    if (l.mode !== 'incremental' || l.baseExportId !== base.exportId || l.parentExportId === null) continue;
    children.set(l.parentExportId, [...(children.get(l.parentExportId) ?? []), l]);
  }
  const deltas: ChainLink[] = [];
  let last = base;
  let tail: TrailTail | null = null;
  for (;;) {
    if (time(last.asOf!) === when) {
      tail = { kind: 'none' };
      break;
    }
    const next = (children.get(last.exportId) ?? []).filter((c) => continues(last, c)).sort((a, b) => time(a.asOf!) - time(b.asOf!) || a.exportId.localeCompare(b.exportId))[0];
    if (!next) break;
    if (time(next.asOf!) > when) {
      tail = { kind: 'archive', exportId: next.exportId, afterPosition: last.trailTo!.position, throughPosition: next.trailTo!.position };
      break;
    }
    deltas.push(next);
    last = next;
  }
  return {
    ok: true,
    plan: { source, at, base, deltas, tail: tail ?? { kind: 'live', afterPosition: last.trailTo!.position }, baseSnapshot: base.txidSnapshot! },
  };
}
