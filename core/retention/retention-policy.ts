import { z } from 'zod';

const count = z.number().int().min(0);
const days = z.number().min(0);
/** A list that narrows the scope; omit it to match everything. An empty list is refused as ambiguous. */
const oneOrMore = z.array(z.string().min(1)).min(1);

/**
 * Which exports a policy governs. Every listed dimension must match; an export without the
 * tag a dimension filters on does not match it. Exports outside the scope are left alone.
 */
export const retentionScopeSchema = z
  .object({
    sources: oneOrMore.optional(),
    environments: oneOrMore.optional(),
    dataDomains: oneOrMore.optional(),
  })
  .strict();
export type RetentionScope = z.infer<typeof retentionScopeSchema>;

/**
 * Grandfather-father-son: for each UTC period in the window ending with the period that
 * contains `now`, keep the newest restore point created in that period. 0 turns a level off.
 * Days are UTC calendar days, weeks are ISO weeks (Monday to Sunday, UTC), months and years
 * are UTC calendar months and years. `daily: 7` covers today and the six days before it.
 */
export const gfsSchema = z
  .object({ daily: count.default(0), weekly: count.default(0), monthly: count.default(0), yearly: count.default(0) })
  .strict();
export type GfsPolicy = z.infer<typeof gfsSchema>;

/**
 * Storage-class tiering by age in days (GCS only; storage without classes is never tiered).
 * An export moves to the coldest class whose threshold its age has passed, and never to a
 * warmer class than the one it is in. Thresholds that are set must increase with coldness.
 */
export const tieringSchema = z
  .object({ nearlineAfterDays: days.optional(), coldlineAfterDays: days.optional(), archiveAfterDays: days.optional() })
  .strict()
  .refine(
    (t) => {
      const set = [t.nearlineAfterDays, t.coldlineAfterDays, t.archiveAfterDays].filter((d) => d !== undefined);
      return set.every((d, i) => i === 0 || d > set[i - 1]);
    },
    { message: 'tiering thresholds must increase: nearline < coldline < archive' },
  );
export type TieringPolicy = z.infer<typeof tieringSchema>;

/**
 * A retention policy. Keep rules (`keepLast`, `gfs`) only ever count restore points: succeeded,
 * not corrupt, with an intact chain, restoring every table of the source (never a partial
 * export nor a rollback's safety snapshot). Safety rules (legal hold, busy, newest verified,
 * chains of kept deltas, `minAgeDays`) hold whatever the policy says; see `planRetention`.
 */
export const retentionPolicySchema = z
  .object({
    scope: retentionScopeSchema.prefault({}),
    /** Keep the N newest restore points of each source. */
    keepLast: count.default(0),
    gfs: gfsSchema.prefault({}),
    /** Never delete an export younger than this, whatever its state; failed exports wait this long too. */
    minAgeDays: days.default(1),
    /**
     * Keep a rollback's safety snapshot this long, so `rollback undo` can still restore it. It
     * never fills a keep-last or GFS slot; 0 leaves it to the other rules (`minAgeDays`, holds).
     */
    safetySnapshotDays: days.default(30),
    tiering: tieringSchema.prefault({}),
    /**
     * Scratch files (`.~tmp-*`) that killed exports left in a folder are removed once last
     * written this many hours ago; a live writer touches its file far more often than that.
     */
    orphanGraceHours: z.number().min(1).default(24),
  })
  .strict();
export type RetentionPolicy = z.infer<typeof retentionPolicySchema>;
export type RetentionPolicyInput = z.input<typeof retentionPolicySchema>;
