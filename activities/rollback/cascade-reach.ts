import type { ManifestTable } from '../../core/manifest';
import type { OutsideScopeImpact } from '../../core/rollback/rollback-preview';
import { quoteIdent, type Queryable } from '../../postgres/queryable';
import { label, tableSql, toScopeTables, type ScopeTable } from './scope-table';

type TableName = { readonly schema: string; readonly name: string };

type CascadeAction = 'cascade' | 'set null' | 'set default';

/**
 * A foreign key whose ON DELETE or ON UPDATE action changes child rows (cascade, set null, set
 * default): a parent row deleted, or its key changed, since the target changed the child's too.
 * Each action is null when it leaves children alone (no action, restrict).
 */
export interface CascadeEdge {
  readonly constraint: string;
  readonly child: TableName;
  readonly childColumns: readonly string[];
  readonly parent: TableName;
  readonly parentColumns: readonly string[];
  readonly onDelete: CascadeAction | null;
  /** Absent in edges a worker of an earlier version found (it followed ON DELETE only). */
  readonly onUpdate?: CascadeAction | null;
}

/** How the preview names an edge: `name (child → parent, on delete cascade, on update set null)`. */
function describeEdge(e: CascadeEdge): string {
  const actions = [e.onDelete && `on delete ${e.onDelete}`, e.onUpdate && `on update ${e.onUpdate}`].filter(Boolean);
  return `${e.constraint} (${label(e.child)} → ${label(e.parent)}, ${actions.join(', ')})`;
}

/**
 * The tables outside a rollback's scope that foreign-key cascades reach from it (directly
 * or through each other): when rows of the scope were deleted or had their key changed since
 * the target, PostgreSQL removed or changed theirs too (ON DELETE and ON UPDATE actions), and a
 * rollback of the scope alone leaves them so. Those the
 * target export holds are staged beside the scope (`staged`), so the preview can count their
 * rows; the others are only named.
 */
export interface OutsideScope {
  readonly edges: readonly CascadeEdge[];
  readonly staged: readonly ScopeTable[];
  /** Reached, but not in the target export (or named like a scope table): the preview cannot count them. */
  readonly uncounted: readonly string[];
}

const ACTIONS: Readonly<Record<string, CascadeAction>> = { c: 'cascade', n: 'set null', d: 'set default' };

export async function findCascades(db: Queryable, scope: readonly ScopeTable[], exported: readonly ManifestTable[]): Promise<OutsideScope> {
  const { rows } = await db.query<{ name: string; cs: string; cn: string; cc: string[]; ps: string; pn: string; pc: string[]; on_delete: string; on_update: string }>(
    `with fk as (
       select c.conname, coalesce(pg_partition_root(c.conrelid), c.conrelid) as child, c.conkey, c.conrelid,
              coalesce(pg_partition_root(c.confrelid), c.confrelid) as parent, c.confkey, c.confrelid, c.confdeltype, c.confupdtype
         from pg_constraint c where c.contype = 'f' and c.conparentid = 0 and (c.confdeltype in ('c', 'n', 'd') or c.confupdtype in ('c', 'n', 'd')))
     select fk.conname as name, cn.nspname as cs, cc.relname as cn, pn.nspname as ps, pc.relname as pn,
            fk.confdeltype::text as on_delete, fk.confupdtype::text as on_update,
            array(select a.attname::text from unnest(fk.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = fk.conrelid and a.attnum = k.n order by k.i) as cc,
            array(select a.attname::text from unnest(fk.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = fk.confrelid and a.attnum = k.n order by k.i) as pc
       from fk
       join pg_class cc on cc.oid = fk.child join pg_namespace cn on cn.oid = cc.relnamespace
       join pg_class pc on pc.oid = fk.parent join pg_namespace pn on pn.oid = pc.relnamespace
      order by 1`,
  );
  const all: CascadeEdge[] = rows.map((r) => ({
    constraint: r.name,
    child: { schema: r.cs, name: r.cn },
    childColumns: r.cc,
    parent: { schema: r.ps, name: r.pn },
    parentColumns: r.pc,
    onDelete: ACTIONS[r.on_delete] ?? null,
    onUpdate: ACTIONS[r.on_update] ?? null,
  }));
  const inScope = new Set(scope.map(label));
  const reached = new Set<string>();
  const edges: CascadeEdge[] = [];
  for (let frontier = new Set(inScope); frontier.size > 0; ) {
    const next = new Set<string>();
    for (const edge of all.filter((e) => frontier.has(label(e.parent)) && !inScope.has(label(e.child)))) {
      edges.push(edge);
      if (!reached.has(label(edge.child))) next.add(label(edge.child));
      reached.add(label(edge.child));
    }
    frontier = next;
  }
  // The staging schema is flat: a reached table named like another staged one cannot be staged.
  const names = new Set(scope.map((t) => t.name));
  const staged: ManifestTable[] = [];
  const uncounted: string[] = [];
  for (const name of [...reached].sort()) {
    const table = exported.find((t) => label(t) === name);
    if (table && !names.has(table.name)) {
      staged.push(table);
      names.add(table.name);
    } else {
      uncounted.push(name);
    }
  }
  return { edges, staged: toScopeTables(staged), uncounted };
}

/**
 * Whether the scope's target holds referenced keys that live data no longer has (rows deleted,
 * or their key changed): only then can a cascade have reached outside the scope. Most rollbacks
 * (values edited, child rows deleted) have none, and then the reached tables need not be staged
 * or named. Reads the staged scope (keys narrowed already) and live data only.
 */
export async function scopeLostReferencedKeys(db: Queryable, edges: readonly CascadeEdge[], scope: readonly ScopeTable[], stagingSchema: string): Promise<boolean> {
  for (const edge of edges) {
    const parent = scope.find((t) => t.schema === edge.parent.schema && t.name === edge.parent.name);
    if (!parent) continue;
    const p = tableSql(parent, stagingSchema);
    const pcols = edge.parentColumns.map(quoteIdent).join(', ');
    const { rows } = await db.query<{ lost: boolean }>(`select exists (select ${pcols} from ${p.stage} except select ${pcols} from ${p.liveRows} x) as lost`);
    if (rows[0]!.lost) return true;
  }
  return false;
}

/**
 * Per reached table: rows of its target state that reference a row the cascade could have
 * taken (a scope row the rollback puts back — deleted, or its key changed — or a reached
 * table's row gone or changed live)
 * and that are missing live (`removed`) or differ live (`changed`). Reads only.
 */
export async function countOutsideScope(db: Queryable, outside: OutsideScope, scope: readonly ScopeTable[], stagingSchema: string): Promise<OutsideScopeImpact[]> {
  const find = (list: readonly ScopeTable[], n: TableName) => list.find((t) => t.schema === n.schema && t.name === n.name);
  const scopeNames = scope.map(label).join(',');
  const impacts: OutsideScopeImpact[] = [];
  for (const child of outside.staged) {
    const via = outside.edges.filter((e) => e.child.schema === child.schema && e.child.name === child.name);
    const conditions: string[] = [];
    for (const edge of via) {
      const pcols = edge.parentColumns.map(quoteIdent).join(', ');
      const parentInScope = find(scope, edge.parent);
      const parentOutside = find(outside.staged, edge.parent);
      let taken: string;
      if (parentInScope) {
        const p = tableSql(parentInScope, stagingSchema);
        taken = `select ${pcols} from ${p.stage} except select ${pcols} from ${p.liveRows} x`;
      } else if (parentOutside) {
        const p = tableSql(parentOutside, stagingSchema);
        taken = `select ${edge.parentColumns.map((c) => `s.${quoteIdent(c)}`).join(', ')} from ${p.stage} s where not exists (select 1 from ${p.liveFrom} l where ${p.rowText('l')} = ${p.rowText('s')})`;
      } else {
        continue;
      }
      conditions.push(`(${edge.childColumns.map((c) => `s.${quoteIdent(c)}`).join(', ')}) in (${taken})`);
    }
    if (conditions.length === 0) continue;
    const c = tableSql(child, stagingSchema);
    const { rows } = await db.query<{ removed: string; changed: string }>(
      `select count(*) filter (where not exists (select 1 from ${c.liveFrom} l where ${c.sameRow('l', 's')}))::text as removed,
              count(*) filter (where exists (select 1 from ${c.liveFrom} l where ${c.sameRow('l', 's')})
                                 and not exists (select 1 from ${c.liveFrom} l where ${c.rowText('l')} = ${c.rowText('s')}))::text as changed
         from ${c.stage} s where ${conditions.join(' or ')}`,
    );
    const removed = Number(rows[0]!.removed);
    const changed = Number(rows[0]!.changed);
    if (removed + changed === 0) continue;
    impacts.push({
      table: label(child),
      removed,
      changed,
      via: via.map(describeEdge),
      suggestion: `widen the scope to put them back too: --tables ${scopeNames},${label(child)}`,
    });
  }
  for (const table of outside.uncounted) {
    const via = outside.edges.filter((e) => label(e.child) === table);
    impacts.push({ table, removed: null, changed: null, via: via.map(describeEdge), suggestion: `not in the target export, so its rows cannot be counted; check it, or widen the scope with an export that holds it` });
  }
  return impacts;
}
