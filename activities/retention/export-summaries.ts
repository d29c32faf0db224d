import type { Knex } from 'knex';
import { exportSummarySchema, type ExportSummary } from '../../core/retention';

interface SummaryRow {
  readonly id: string;
  readonly source: string;
  readonly mode: string;
  readonly parent_export_id: string | null;
  readonly base_export_id: string | null;
  readonly role: string;
  readonly partial: boolean;
  readonly created_at: Date;
  readonly status: string;
  readonly verification_status: string;
  readonly legal_hold: boolean;
  readonly tags: Record<string, unknown>;
  readonly storage_class: string | null;
  readonly destination: string;
}

/**
 * Every export in the catalog (deleted ones too: the planner follows chains through them) as
 * the planner's summaries. `busy` holds the ids being read by a verification or a restore.
 * `role` and `partial` (recorded when a full export finishes) keep partial exports and
 * rollbacks' safety snapshots out of keep-last and GFS.
 *
 * An export on GCS that retention never tiered is taken to be STANDARD, the class restorepoint
 * writes in when the bucket's default is STANDARD; tiering reads each object's real class
 * before moving it, so a colder bucket default is never warmed up. Folders have no classes.
 */
export async function loadExportSummaries(db: Knex, busy: ReadonlySet<string>): Promise<ExportSummary[]> {
  const rows = (await db('exports').select(
    'id', 'source', 'mode', 'parent_export_id', 'base_export_id', 'role', 'partial', 'created_at', 'status',
    'verification_status', 'legal_hold', 'tags', 'storage_class', 'destination',
  )) as SummaryRow[];
  return rows.map((r) =>
    exportSummarySchema.parse({
      id: r.id,
      source: r.source,
      mode: r.mode,
      parentExportId: r.parent_export_id,
      baseExportId: r.base_export_id,
      role: r.role,
      partial: r.partial,
      createdAt: r.created_at.toISOString(),
      status: r.status,
      verificationStatus: r.verification_status,
      legalHold: r.legal_hold,
      busy: busy.has(r.id),
      tags: scopingTags(r.tags),
      storageClass: r.storage_class ?? (r.destination.startsWith('gs://') ? 'STANDARD' : null),
    }),
  );
}

/** Only string tags can match a scope; anything else in the JSON is ignored rather than failing the plan. */
function scopingTags(tags: Record<string, unknown>): { environment?: string; dataDomain?: string } {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return { environment: text(tags.environment), dataDomain: text(tags.dataDomain) };
}
