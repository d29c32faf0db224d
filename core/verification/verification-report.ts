import { describeObjectVerdict, objectPassed, type ObjectVerdict } from './object-verdict';
import { describeRestoreOutcome, describeTableVerdict, tablePassed, type RestoreOutcome, type TableVerdict } from './table-verdict';
import type { VerificationLevel } from './verification-level';

/** Everything one verification run found; stored whole in `verification_runs.results`. */
export interface VerificationResults {
  readonly objects: readonly ObjectVerdict[];
  readonly tables: readonly TableVerdict[];
  readonly restore?: RestoreOutcome;
}

/** At most this many failure lines travel through workflow history and the ledger; the catalog keeps all. */
export const REPORTED_FAILURES = 50;

/** What a verification run returns: counts, and the failures, each naming its object and what differed. */
export interface VerificationReport {
  readonly runId: string;
  readonly exportId: string;
  readonly level: VerificationLevel;
  readonly status: 'passed' | 'failed';
  readonly counts: {
    readonly objects: number;
    /** Read back and found as recorded. */
    readonly read: number;
    /** Skipped: verified before and unchanged in the store since. */
    readonly unchanged: number;
    readonly failed: number;
    readonly tables: number;
  };
  /** Up to REPORTED_FAILURES failures, as data. */
  readonly failures: readonly (ObjectVerdict | TableVerdict)[];
  /** The same failures as sentences. */
  readonly messages: readonly string[];
  /** True when more failures were found than `failures` holds. */
  readonly truncated: boolean;
  readonly restore?: RestoreOutcome;
}

/** Sums results up; the run passes only when every object and table passed and a restore (if any) succeeded. */
export function summarizeResults(run: { runId: string; exportId: string; level: VerificationLevel }, results: VerificationResults): VerificationReport {
  const failedObjects = results.objects.filter((v) => !objectPassed(v));
  const failedTables = results.tables.filter((v) => !tablePassed(v));
  const restoreFailed = results.restore?.status === 'failed';
  const messages = [
    ...failedObjects.map(describeObjectVerdict),
    ...failedTables.map(describeTableVerdict),
    ...(restoreFailed && results.restore ? [describeRestoreOutcome(results.restore)] : []),
  ];
  const failures = [...failedObjects, ...failedTables];
  return {
    ...run,
    status: messages.length === 0 ? 'passed' : 'failed',
    counts: {
      objects: results.objects.length,
      read: results.objects.filter((v) => v.status === 'ok').length,
      unchanged: results.objects.filter((v) => v.status === 'unchanged').length,
      failed: failedObjects.length + failedTables.length + (restoreFailed ? 1 : 0),
      tables: results.tables.length,
    },
    failures: failures.slice(0, REPORTED_FAILURES),
    messages: messages.slice(0, REPORTED_FAILURES),
    truncated: messages.length > REPORTED_FAILURES,
    ...(results.restore ? { restore: results.restore } : {}),
  };
}
