import type { Knex } from 'knex';
import { exportSummarySchema, holdsNoAppTables, type ExportSummary, type RetentionWarning } from '../../core/retention';

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
  readonly tables: unknown;
}

/** The planner's input, and the rows it could not read (each a `bad-row` warning). */
export interface LoadedSummaries {
  readonly summaries: ExportSummary[];
  readonly badRows: RetentionWarning[];
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
export async function loadExportSummaries(db: Knex, busy: ReadonlySet<string>): Promise<LoadedSummaries> {
  const rows = (await db('exports').select(
    'id', 'source', 'mode', 'parent_export_id', 'base_export_id', 'role', 'partial', 'created_at', 'status',
    'verification_status', 'legal_hold', 'tags', 'storage_class', 'destination', 'tables',
  )) as SummaryRow[];
  const summaries: ExportSummary[] = [];
  const badRows: RetentionWarning[] = [];
  for (const r of rows) {
    const candidate = {
      id: r.id,
      source: r.source,
      mode: r.mode,
      parentExportId: r.parent_export_id,
      baseExportId: r.base_export_id,
      role: r.role,
      // An export of nothing but the change trail's own tables restores no app data: never a restore point.
      partial: r.partial || holdsNoAppTables(tableList(r.tables)),
      createdAt: r.created_at instanceof Date ? r.created_at.toISOString() : r.created_at,
      status: r.status,
      verificationStatus: r.verification_status,
      legalHold: r.legal_hold,
      busy: busy.has(r.id),
      tags: scopingTags(r.tags ?? {}),
      storageClass: r.storage_class ?? (typeof r.destination === 'string' && r.destination.startsWith('gs://') ? 'STANDARD' : null),
    };
    const parsed = exportSummarySchema.safeParse(candidate);
    if (parsed.success) {
      summaries.push(parsed.data);
      continue;
    }
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    badRows.push({ code: 'bad-row', subject: r.id, message: `catalog row of ${r.id} is unreadable (${problems}): it and its chain are left alone until it is fixed` });
    summaries.push(quarantined(r));
  }
  return { summaries, badRows };
}

/**
 * A row the planner cannot trust, as a summary that nothing deletes or tiers: held and busy
 * (which also keeps every export its chain reads), its chain links kept where they are text.
 */
function quarantined(r: SummaryRow): ExportSummary {
  const link = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);
  const parentExportId = link(r.parent_export_id);
  return {
    id: r.id,
    source: typeof r.source === 'string' && r.source.length > 0 ? r.source : '(unreadable)',
    mode: parentExportId === null ? 'full' : 'incremental',
    parentExportId,
    baseExportId: parentExportId === null ? null : link(r.base_export_id),
    role: 'backup',
    partial: true,
    createdAt: r.created_at instanceof Date && Number.isFinite(r.created_at.getTime()) ? r.created_at.toISOString() : new Date(0).toISOString(),
    status: 'running',
    verificationStatus: 'unverified',
    legalHold: true,
    busy: true,
    tags: {},
    storageClass: null,
  };
}

/** The recorded table list (`schema.name` strings), or null when none was recorded. */
function tableList(tables: unknown): readonly string[] | null {
  return Array.isArray(tables) && tables.every((t) => typeof t === 'string') ? (tables as string[]) : null;
}

/** Only string tags can match a scope; anything else in the JSON is ignored rather than failing the plan. */
function scopingTags(tags: Readonly<Record<string, unknown>>): { environment?: string; dataDomain?: string } {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return { environment: text(tags.environment), dataDomain: text(tags.dataDomain) };
}
