/**
 * One table's verdict. `manifest` verdicts compare a table's row total with its parts (decode
 * level and deeper); `scratch copy` verdicts compare the table restored into a scratch schema
 * with what the export recorded (restore level).
 */
export type TableVerdict =
  | { readonly table: string; readonly status: 'ok'; readonly rows: number; readonly compared: 'fingerprint' | 'row count' }
  | { readonly table: string; readonly status: 'row-count mismatch'; readonly stage: 'manifest' | 'scratch copy'; readonly expected: number; readonly actual: number }
  | { readonly table: string; readonly status: 'fingerprint mismatch'; readonly expected: string; readonly actual: string };

/** How the restore step of a restore-level verification went. */
export type RestoreOutcome =
  | { readonly status: 'ok'; readonly target: string; readonly schema: string; readonly rows: number }
  | { readonly status: 'failed'; readonly target: string; readonly schema: string; readonly code: string; readonly message: string }
  | { readonly status: 'not attempted'; readonly reason: string };

export function tablePassed(verdict: TableVerdict): boolean {
  return verdict.status === 'ok';
}

export function describeTableVerdict(v: TableVerdict): string {
  switch (v.status) {
    case 'ok':
      return `table ${v.table}: ok (${v.rows} rows, ${v.compared} compared)`;
    case 'row-count mismatch':
      return v.stage === 'manifest'
        ? `table ${v.table}: row-count mismatch (the manifest says ${v.expected} rows, its parts hold ${v.actual})`
        : `table ${v.table}: row-count mismatch in the scratch copy (expected ${v.expected} rows, found ${v.actual})`;
    case 'fingerprint mismatch':
      return `table ${v.table}: fingerprint mismatch in the scratch copy (exported ${v.expected}, restored ${v.actual})`;
  }
}

export function describeRestoreOutcome(r: RestoreOutcome): string {
  switch (r.status) {
    case 'ok':
      return `restore into ${r.target} schema ${r.schema}: ok (${r.rows} rows)`;
    case 'failed':
      return `restore into ${r.target} schema ${r.schema}: failed (${r.code}: ${r.message})`;
    case 'not attempted':
      return `restore: not attempted (${r.reason})`;
  }
}
