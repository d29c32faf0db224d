import type { ChainLink } from './chain-link';

/**
 * Trail entries to apply after a chain's last fully applied export, up to the requested time:
 * from an incremental export that goes past that time (its archived entries), or from the
 * source's live trail when no export does yet.
 */
export type TrailTail =
  | { readonly kind: 'none' }
  | { readonly kind: 'archive'; readonly exportId: string; readonly afterPosition: number; readonly throughPosition: number }
  | { readonly kind: 'live'; readonly afterPosition: number };

/**
 * How to reconstruct a source at `at`: restore `base`, apply every entry of `deltas` in order,
 * then the `tail` entries of transactions whose last change is at or before `at`. Entries the
 * base snapshot already holds (committed after its trail position was taken but before its
 * snapshot) are skipped by `baseSnapshot`.
 */
export interface RestorePlan {
  readonly source: string;
  readonly at: string;
  readonly base: ChainLink;
  readonly deltas: readonly ChainLink[];
  readonly tail: TrailTail;
  /** The base's pg_current_snapshot text. */
  readonly baseSnapshot: string;
}

export type RestorePlanResult = { readonly ok: true; readonly plan: RestorePlan } | { readonly ok: false; readonly problem: string };
