/**
 * fast-check generators for retention: export histories of up to three sources over a couple
 * of years (full and delta chains, sometimes branching or broken; partial full exports and
 * rollbacks' safety snapshots, with deltas sometimes built on them; holds, busy exports, every
 * status and verification state, tags, storage classes) and policies parsed by the real schema.
 */
import fc from 'fast-check';
import { retentionPolicySchema, STORAGE_CLASSES, type ExportSummary, type RetentionPolicy } from '../../core/retention';

export const SOURCES = ['alpha', 'beta', 'gamma'] as const;
const ENVIRONMENTS = ['prod', 'staging'] as const;
const DOMAINS = ['billing', 'crm'] as const;
const MINUTE = 60_000;

/** True about one time in fifteen: a few held or busy exports per history, often inside a chain. */
const rarely = fc.oneof({ weight: 14, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

const step = fc.record({
  source: fc.constantFrom(...SOURCES),
  /** Minutes since the previous export: bursts, daily rhythm, and long silences. */
  gap: fc.oneof(fc.integer({ min: 0, max: 180 }), fc.integer({ min: 180, max: 3 * 1440 }), fc.integer({ min: 3 * 1440, max: 60 * 1440 })),
  incremental: fc.boolean(),
  /** A full export's kind: mostly a backup of every table, sometimes `export --tables` or a rollback's safety snapshot. */
  coverage: fc.oneof({ weight: 8, arbitrary: fc.constant('whole' as const) }, { weight: 1, arbitrary: fc.constantFrom('partial' as const, 'safety-snapshot' as const) }),
  /** Which earlier export of the source the delta builds on: usually the previous one. */
  parentBack: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }),
  link: fc.oneof({ weight: 20, arbitrary: fc.constant('sound' as const) }, { weight: 1, arbitrary: fc.constantFrom('dangling' as const, 'wrong-base' as const) }),
  status: fc.oneof({ weight: 12, arbitrary: fc.constant('succeeded' as const) }, { weight: 1, arbitrary: fc.constantFrom('failed' as const, 'running' as const, 'requested' as const, 'deleted' as const) }),
  verificationStatus: fc.constantFrom('unverified' as const, 'verified' as const, 'corrupt' as const),
  legalHold: rarely,
  busy: rarely,
  environment: fc.option(fc.constantFrom(...ENVIRONMENTS), { nil: undefined, freq: 4 }),
  dataDomain: fc.option(fc.constantFrom(...DOMAINS), { nil: undefined, freq: 4 }),
  storageClass: fc.oneof({ weight: 4, arbitrary: fc.constant('STANDARD' as const) }, { weight: 2, arbitrary: fc.constantFrom(...STORAGE_CLASSES, null) }),
});

export interface History {
  readonly exports: readonly ExportSummary[];
  readonly now: Date;
}

export const histories = (maxExports = 80): fc.Arbitrary<History> =>
  fc
    .record({
      start: fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2024, 0, 1) }),
      steps: fc.array(step, { maxLength: maxExports, size: 'max' }),
      /** Minutes from the last export to `now`; negative when the clock lags the catalog. */
      after: fc.oneof(fc.integer({ min: -600, max: 1440 }), fc.integer({ min: 0, max: 400 * 1440 })),
    })
    .map(({ start, steps, after }) => {
      const exports: ExportSummary[] = [];
      let at = start;
      steps.forEach((s, i) => {
        at += s.gap * MINUTE;
        const earlier = exports.filter((e) => e.source === s.source);
        const parent = earlier[earlier.length - 1 - Math.min(s.parentBack, earlier.length - 1)];
        const id = `${s.source}-${String(i).padStart(3, '0')}`;
        const chain =
          s.incremental && parent
            ? {
                mode: 'incremental' as const,
                parentExportId: s.link === 'dangling' ? `${id}-ghost` : parent.id,
                baseExportId: s.link === 'wrong-base' ? parent.id : (parent.baseExportId ?? parent.id),
              }
            : { mode: 'full' as const, parentExportId: null, baseExportId: null };
        // Only full exports record what they hold; a delta holds what its base holds.
        const coverage = chain.mode === 'full' ? s.coverage : 'whole';
        exports.push({
          id,
          source: s.source,
          ...chain,
          role: coverage === 'safety-snapshot' ? 'safety-snapshot' : 'backup',
          partial: coverage !== 'whole',
          createdAt: new Date(at).toISOString(),
          status: s.status,
          verificationStatus: s.status === 'succeeded' || s.status === 'deleted' ? s.verificationStatus : 'unverified',
          legalHold: s.legalHold,
          busy: s.busy,
          tags: { environment: s.environment, dataDomain: s.dataDomain },
          storageClass: s.storageClass,
        });
      });
      return { exports, now: new Date(at + after * MINUTE) };
    });

const subset = <T>(values: readonly T[]): fc.Arbitrary<T[] | undefined> =>
  fc.option(fc.subarray([...values], { minLength: 1 }), { nil: undefined, freq: 3 });

export const policies: fc.Arbitrary<RetentionPolicy> = fc
  .record({
    scope: fc.record({ sources: subset(SOURCES), environments: subset(ENVIRONMENTS), dataDomains: subset(DOMAINS) }),
    keepLast: fc.integer({ min: 0, max: 6 }),
    gfs: fc.record({
      daily: fc.integer({ min: 0, max: 10 }),
      weekly: fc.integer({ min: 0, max: 8 }),
      monthly: fc.integer({ min: 0, max: 14 }),
      yearly: fc.integer({ min: 0, max: 3 }),
    }),
    minAgeDays: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 3, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true })),
    safetySnapshotDays: fc.option(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 60, noNaN: true })), { nil: undefined }),
    thresholds: fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 3, maxLength: 3 }).map((t) => [...t].sort((a, b) => a - b)),
    use: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
  })
  .map(({ thresholds: [n, c, a], use: [useN, useC, useA], ...rest }) =>
    retentionPolicySchema.parse({
      ...rest,
      tiering: { nearlineAfterDays: useN ? n : undefined, coldlineAfterDays: useC ? c : undefined, archiveAfterDays: useA ? a : undefined },
    }),
  );

/** Runs per property: enough to meet branching chains, holds inside chains and period edges often. */
export const RUNS = 1000;
