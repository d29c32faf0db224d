import { levelCovers, type VerificationLevel } from './verification-level';

/** What the picker needs to know about one finished export. */
export interface VerificationCandidate {
  readonly exportId: string;
  readonly verificationStatus: 'unverified' | 'verified' | 'corrupt';
  /** When the export last changed: finished, or had objects rewritten (tiering). */
  readonly changedAt: string;
  /** The last passed run: when it finished and at which level; null if none. */
  readonly lastPassed: { readonly at: string; readonly level: VerificationLevel } | null;
}

export interface VerificationPick {
  /** Not verified at this level (or deeper) since their last change: verified incrementally. */
  readonly due: readonly string[];
  /** Verified already: re-read in full, least recently verified first, to catch decay. */
  readonly sample: readonly string[];
}

/**
 * Chooses which exports a scheduled verification reads. Corrupt exports are left out: they
 * have raised their alert, are refused as restore points, and are re-verified on request.
 * Deterministic (ties broken by id), so a workflow replay would choose the same.
 */
export function pickExportsToVerify(candidates: readonly VerificationCandidate[], level: VerificationLevel, sampleOlder: number): VerificationPick {
  const healthy = candidates.filter((c) => c.verificationStatus !== 'corrupt');
  const isDue = (c: VerificationCandidate) => c.lastPassed === null || !levelCovers(c.lastPassed.level, level) || c.lastPassed.at < c.changedAt;
  const byId = (a: VerificationCandidate, b: VerificationCandidate) => (a.exportId < b.exportId ? -1 : a.exportId > b.exportId ? 1 : 0);
  const due = healthy.filter(isDue).sort((a, b) => (a.changedAt < b.changedAt ? -1 : a.changedAt > b.changedAt ? 1 : byId(a, b)));
  const sample = healthy
    .filter((c) => !isDue(c))
    .sort((a, b) => (a.lastPassed!.at < b.lastPassed!.at ? -1 : a.lastPassed!.at > b.lastPassed!.at ? 1 : byId(a, b)))
    .slice(0, sampleOlder);
  return { due: due.map((c) => c.exportId), sample: sample.map((c) => c.exportId) };
}
