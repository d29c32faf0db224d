import { retentionPolicySchema, type ExportSummary, type PlannedExport, type RetentionPlan, type RetentionPolicy, type RetentionPolicyInput } from '../../core/retention';

/** A succeeded, unverified full backup (every table) of source `demo` on STANDARD storage, unless `extra` says otherwise. */
export function full(id: string, createdAt: string, extra: Partial<ExportSummary> = {}): ExportSummary {
  return {
    id,
    source: 'demo',
    mode: 'full',
    parentExportId: null,
    baseExportId: null,
    role: 'backup',
    partial: false,
    createdAt,
    status: 'succeeded',
    verificationStatus: 'unverified',
    legalHold: false,
    busy: false,
    tags: {},
    storageClass: 'STANDARD',
    ...extra,
  };
}

/** A delta taken against `parent`, whose chain starts at the full export `base`. */
export function delta(id: string, createdAt: string, parent: string, base: string, extra: Partial<ExportSummary> = {}): ExportSummary {
  return full(id, createdAt, { mode: 'incremental', parentExportId: parent, baseExportId: base, ...extra });
}

/** A full export taken with a table selection (`export --tables`): it holds only some tables. */
export function partialFull(id: string, createdAt: string, extra: Partial<ExportSummary> = {}): ExportSummary {
  return full(id, createdAt, { partial: true, ...extra });
}

/** A rollback's safety snapshot: a partial full export of the rollback's scope, kept for undo. */
export function safetySnapshot(id: string, createdAt: string, extra: Partial<ExportSummary> = {}): ExportSummary {
  return full(id, createdAt, { role: 'safety-snapshot', partial: true, ...extra });
}

export function policy(input: RetentionPolicyInput = {}): RetentionPolicy {
  return retentionPolicySchema.parse(input);
}

export function entry(plan: RetentionPlan, id: string): PlannedExport {
  const found = plan.exports.find((p) => p.exportId === id);
  if (!found) throw new Error(`${id} is not in the plan`);
  return found;
}

/** `keep`, `delete` or `tier→CLASS`, with the deciding rule: the shape example tests compare against. */
export function verdict(plan: RetentionPlan, id: string): string {
  const p = entry(plan, id);
  return `${p.action.kind === 'tier' ? `tier→${p.action.to}` : p.action.kind} ${p.rule.code}`;
}

/** Every rule code that matched an export, deciding one first. */
export function codes(plan: RetentionPlan, id: string): string[] {
  const p = entry(plan, id);
  return [p.rule.code, ...p.alsoMatched.map((r) => r.code)];
}
