import type { ConstraintConflict, ForeignKeyImpact, PreviewSamples, RollbackPreview, SampleRow, TablePreview } from '../../core/rollback/rollback-preview';
import { qualifiedName, quoteIdent, type Queryable } from '../../postgres/queryable';
import { trailInstalled } from '../../trail';
import type { ActivityDeps } from '../deps';
import { countOutsideScope, type OutsideScope } from './cascade-reach';
import { countDiff, diffQueries, fingerprint } from './diff-sql';
import { updateRollback } from './rollback-records';
import { countViolations, finalRelation, listScopeForeignKeys, type ScopeForeignKey } from './scope-foreign-keys';
import { isKeyless, label, tableSql, type ScopeTable } from './scope-table';
import { keepAlive } from './keep-alive';
import { withSourceClient } from './source-client';

export interface PreviewRequest {
  readonly rollbackId: string;
  readonly source: string;
  readonly stagingSchema: string;
  readonly tables: readonly ScopeTable[];
  /** The target's snapshot (`txid_current_snapshot()` form): rows written by transactions it does not see changed after the restore point. */
  readonly targetSnapshot: string;
  /** Tables outside the scope that cascades reach (from prepare): counted, never changed. */
  readonly outside?: OutsideScope;
}

const SAMPLE_ROWS = 5;

export function createPreviewActivity(deps: ActivityDeps) {
  /**
   * Compares live data in scope with the staged target, row by row through the primary
   * key, and stores the full preview (with samples) in the catalog. Reads only.
   */
  return async function previewRollback(request: PreviewRequest): Promise<RollbackPreview> {
    const { preview, samples } = await keepAlive(() => withSourceClient(deps, request.source, 'preview', async (db) => {
      await db.query('begin isolation level repeatable read read only');
      const tables: TablePreview[] = [];
      const samples: PreviewSamples[] = [];
      const liveFingerprints: Record<string, string> = {};
      for (const t of request.tables) {
        const diff = await countDiff(db, t, request.stagingSchema);
        tables.push({ table: label(t), ...(t.keysTable !== null ? { narrowedTo: { where: t.where, keys: t.keysInScope ?? 0 } } : {}), ...(isKeyless(t) ? { multiset: true as const } : {}), ...diff, changedSinceTarget: await changedSinceTarget(db, t, request.stagingSchema, request.targetSnapshot) });
        samples.push(await sampleRows(db, t, request.stagingSchema));
        liveFingerprints[label(t)] = await fingerprint(db, t, tableSql(t, request.stagingSchema).liveRows);
      }
      const fks = await listScopeForeignKeys(db, request.tables);
      const foreignKeys: ForeignKeyImpact[] = [];
      const constraintConflicts: ConstraintConflict[] = [];
      for (const fk of fks) {
        const impact = await foreignKeyImpact(db, fk, request.tables, request.stagingSchema);
        if (impact && (impact.removed > 0 || impact.orphaned > 0)) foreignKeys.push(impact);
        const violations = await countViolations(db, fk, finalRelation(fk.child, request.tables, request.stagingSchema), finalRelation(fk.parent, request.tables, request.stagingSchema));
        if (violations > 0) {
          constraintConflicts.push({ constraint: fk.name, table: label(fk.child), rows: violations, problem: `rows of ${label(fk.child)} would reference ${label(fk.parent)} rows that no longer exist` });
        }
      }
      const outsideScope = request.outside ? await countOutsideScope(db, request.outside, request.tables, request.stagingSchema) : [];
      await db.query('commit');
      const sum = (pick: (t: TablePreview) => number) => tables.reduce((s, t) => s + pick(t), 0);
      const preview: RollbackPreview = {
        tables,
        foreignKeys,
        constraintConflicts,
        outsideScope,
        liveFingerprints,
        totals: {
          inserts: sum((t) => t.inserts),
          updates: sum((t) => t.updates),
          deletes: sum((t) => t.deletes),
          changedSinceTarget: sum((t) => t.changedSinceTarget.reduce((s, c) => s + c.rows, 0)),
          conflicts: constraintConflicts.reduce((s, c) => s + c.rows, 0),
          outsideScope: outsideScope.reduce((s, o) => s + (o.removed ?? 0) + (o.changed ?? 0), 0),
        },
      };
      return { preview, samples };
    }));
    await updateRollback(deps.catalog, request.rollbackId, { preview, samples });
    return preview;
  };
}

/**
 * Live rows the rollback would overwrite or delete whose last writer committed after the
 * target's snapshot, grouped by that transaction. xmin is 32 bits; it is widened with the
 * current epoch (one wrap-around back when larger than the current xid), and frozen rows
 * (xmin 2) count as old.
 */
async function changedSinceTarget(db: Queryable, t: ScopeTable, stagingSchema: string, snapshot: string): Promise<TablePreview['changedSinceTarget']> {
  const d = diffQueries(t, stagingSchema);
  const { rows } = await db.query<{ xid: string; n: string }>(
    `with cur as (select txid_snapshot_xmax(txid_current_snapshot()) as x),
          touched as (select l.xmin::text::bigint as x32 ${d.updates} union all select l.xmin::text::bigint ${d.deletes}),
          wide as (select ((cur.x >> 32) << 32) | x32 as x64, cur.x from touched, cur where x32 >= 3),
          fixed as (select case when x64 > x then x64 - 4294967296 else x64 end as xid from wide)
     select xid::text, count(*)::text as n from fixed where not txid_visible_in_snapshot(xid, $1::txid_snapshot) group by xid order by count(*) desc, xid`,
    [snapshot],
  );
  const tracked = await trailInstalled(db);
  const changes: TablePreview['changedSinceTarget'][number][] = [];
  for (const r of rows) {
    // The trail names who wrote in that transaction: the accident's actor, or someone else's later work.
    const actors = tracked
      ? (await db.query<{ actor: string }>('select distinct actor from restorepoint_trail.change where xid = $1::xid8 and schema_name = $2 order by actor', [r.xid, t.schema])).rows.map((a) => a.actor)
      : [];
    changes.push({ xid: r.xid, rows: Number(r.n), ...(actors.length > 0 ? { actors } : {}) });
  }
  return changes;
}

async function sampleRows(db: Queryable, t: ScopeTable, stagingSchema: string): Promise<PreviewSamples> {
  const d = diffQueries(t, stagingSchema);
  if (isKeyless(t)) return sampleCopies(db, t, d);
  const order = (alias: string) => t.primaryKey.map((c) => `${alias}.${quoteIdent(c)}`).join(', ');
  const inserts = await db.query<{ after: SampleRow }>(`select ${rowAsText(t, 's')} as after ${d.inserts} order by ${order('s')} limit ${SAMPLE_ROWS}`);
  const updates = await db.query<{ before: SampleRow; after: SampleRow }>(`select ${rowAsText(t, 'l')} as before, ${rowAsText(t, 's')} as after ${d.updates} order by ${order('s')} limit ${SAMPLE_ROWS}`);
  const deletes = await db.query<{ before: SampleRow }>(`select ${rowAsText(t, 'l')} as before ${d.deletes} order by ${order('l')} limit ${SAMPLE_ROWS}`);
  const key = (row: SampleRow): SampleRow => Object.fromEntries(t.primaryKey.map((c) => [c, row[c] ?? null]));
  return {
    table: label(t),
    inserts: inserts.rows.map((r) => ({ key: key(r.after), after: r.after })),
    updates: updates.rows.map((r) => ({ key: key(r.after), ...onlyChanged(r) })),
    deletes: deletes.rows.map((r) => ({ key: key(r.before), before: r.before })),
  };
}

/** Samples of a table without a primary key: distinct rows to add and to remove, each with how many copies (the row is its own key). */
async function sampleCopies(db: Queryable, t: ScopeTable, d: ReturnType<typeof diffQueries>): Promise<PreviewSamples> {
  const distinct = async (alias: 's' | 'l', body: string) =>
    (await db.query<{ row: string; copies: number }>(`select row, count(*)::int as copies from (select ${rowAsText(t, alias)}::text as row ${body}) x group by row order by row limit ${SAMPLE_ROWS}`)).rows.map(
      (r) => ({ row: JSON.parse(r.row) as SampleRow, copies: r.copies }),
    );
  return {
    table: label(t),
    inserts: (await distinct('s', d.inserts)).map((r) => ({ key: r.row, after: r.row, copies: r.copies })),
    updates: [],
    deletes: (await distinct('l', d.deletes)).map((r) => ({ key: r.row, before: r.row, copies: r.copies })),
  };
}

/**
 * A row as a JSON object of its columns' text (in column order): what PostgreSQL prints, so
 * numeric(38,10), bigint and timestamps reach the approver exactly, never through a float.
 */
export function rowAsText(t: ScopeTable, alias: string): string {
  if (t.columns.length === 0) return `'{}'::json`;
  const pairs = t.columns.map((c, i) => `(${i}, ${quoteLiteral(c)}, ${alias}.${quoteIdent(c)}::text)`).join(', ');
  return `(select json_object_agg(v.name, v.value order by v.n) from (values ${pairs}) v(n, name, value))`;
}

const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** An update sample shows the columns that change, not the whole row twice (its key names it). */
function onlyChanged(row: { before: SampleRow; after: SampleRow }) {
  const changed = Object.keys(row.after).filter((k) => row.before[k] !== row.after[k]);
  const keep = (r: SampleRow) => Object.fromEntries(Object.entries(r).filter(([k]) => changed.includes(k)));
  return { before: keep(row.before), after: keep(row.after) };
}

/** Children that reference parent key values the rollback removes: gone with it (child in scope) or orphaned. */
async function foreignKeyImpact(db: Queryable, fk: ScopeForeignKey, scope: readonly ScopeTable[], stagingSchema: string): Promise<ForeignKeyImpact | null> {
  const parent = scope.find((t) => t.schema === fk.parent.schema && t.name === fk.parent.name);
  if (!parent) return null;
  const child = scope.find((t) => t.schema === fk.child.schema && t.name === fk.child.name);
  const pcols = fk.parentColumns.map(quoteIdent).join(', ');
  const ccols = fk.childColumns.map((c) => `c.${quoteIdent(c)}`).join(', ');
  const removedKeys = `select ${pcols} from ${tableSql(parent, stagingSchema).liveRows} p except select ${pcols} from ${qualifiedName(stagingSchema, parent.name)}`;
  const childRel = qualifiedName(fk.child.schema, fk.child.name);
  const goes = child ? `not exists (select 1 from ${qualifiedName(stagingSchema, child.name)} s where ${tableSql(child, stagingSchema).sameRow('s', 'c')})` : 'false';
  const { rows } = await db.query<{ removed: string; orphaned: string }>(
    `select count(*) filter (where ${goes})::text as removed, count(*) filter (where not (${goes}))::text as orphaned
       from ${childRel} c where (${ccols}) in (${removedKeys})`,
  );
  return { constraint: fk.name, child: label(fk.child), parent: label(fk.parent), removed: Number(rows[0]!.removed), orphaned: Number(rows[0]!.orphaned) };
}
