import { Context } from '@temporalio/activity';
import type pg from 'pg';
import { RestorepointError } from '../../core/errors';
import type { ManifestSequence } from '../../core/manifest';
import type { RestorePlan } from '../../core/restore-points';
import { exactTablePattern, selectTables } from '../../core/table-patterns';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';
import { fittedName } from '../../postgres/scratch-names';
import type { ActivityDeps } from '../deps';
import { createApplyChangesActivity } from '../point-in-time/apply-changes';
import { verifyPlanObjects } from '../point-in-time/verify-plan-objects';
import { loadVerifiedManifest } from '../restore/load-manifest';
import { refuseMaskedExportTarget } from '../restore/masked-export-guard';
import { createRestoreActivity } from '../restore/restore-export';
import { describeCheck, verifyObject } from '../restore/verify-object';
import { findCascades, scopeLostReferencedKeys, type OutsideScope } from './cascade-reach';
import { keepAlive } from './keep-alive';
import { checkRowPredicate, requireAllowedPredicate, stageMatchingKeys } from './row-predicate-scope';
import { isKeyless, label, tableSql, toScopeTables, type ScopeTable } from './scope-table';
import { probeSafetySnapshot } from './snapshot-probe';
import { withSourceClient } from './source-client';

export interface PrepareRequest {
  readonly rollbackId: string;
  readonly source: string;
  /** The export whose state is staged; for a point in time, the plan's base. */
  readonly exportId: string;
  /**
   * A point-in-time target: after the base export is staged, the plan's deltas and trail
   * entries up to its time are replayed into the staging copy (as `reconstruct --at` does).
   */
  readonly restorePoint?: RestorePlan;
  readonly tables: readonly string[];
  /** Created here; an existing schema is replaced only when a previous attempt of this rollback made it. */
  readonly stagingSchema: string;
  readonly requestedBy: string;
  /** Table pattern → primary keys the scope is narrowed to (rollback input `keys`). */
  readonly keys?: Readonly<Record<string, readonly Readonly<Record<string, string | number | boolean>>[]>>;
  /** Table pattern → row predicate the scope is narrowed to (rollback input `where`), resolved here to primary keys. */
  readonly where?: Readonly<Record<string, string>>;
  /** In place (a safety snapshot will be taken): check before approval that it can be (`probeSafetySnapshot`). */
  readonly probeSnapshot?: boolean;
}

export interface PreparedScope {
  /** A table narrowed by `keys` or `where` has its keys table, and `keysInScope` counted. */
  readonly tables: readonly ScopeTable[];
  /** Sequences owned by columns of scope tables, with their values in the target. */
  readonly sequences: readonly ManifestSequence[];
  readonly targetSnapshot: string;
  /** Where the target export lives; the safety snapshot is written beside it. */
  readonly destination: string;
  /** Rows loaded from the (base) export. */
  readonly stagedRows: number;
  /** A point-in-time target: trail entries replayed onto the staged base. */
  readonly entriesReplayed?: number;
  /** Tables outside the scope that foreign-key cascades reach from it, and those staged for the preview to count. */
  readonly outside?: OutsideScope;
}

export function createPrepareActivity(deps: ActivityDeps) {
  const restoreExport = createRestoreActivity(deps);
  const applyChanges = createApplyChangesActivity(deps);
  /**
   * Checks the operator's narrowing (row predicates against the allowlist first, then against
   * live data: tables exist, predicates are booleans over their table's columns, evaluated as a
   * role that reads only that table; read only) and proves everything the rollback will
   * read (manifest against the catalog, every part's sha256 and CRC32C, and for a point in
   * time every archived object of the chain) before creating anything, then loads the target
   * state of the scope into the staging schema and resolves `keys`/`where` to the keys in
   * scope. Live data is never written here.
   */
  return async function prepareRollback(request: PrepareRequest): Promise<PreparedScope> {
    return keepAlive(() => prepare(request));
  };

  async function prepare(request: PrepareRequest): Promise<PreparedScope> {
    const { record, manifest, store, cipher } = await loadVerifiedManifest(deps, request.exportId);
    refuseMaskedExportTarget(deps.config, request.exportId, manifest, null);
    const selected = selectTables(manifest.tables, [...request.tables], []);
    const { tables: narrowed, chosenKeys } = narrowScope(toScopeTables(selected), request.keys ?? {}, request.where ?? {}, request.stagingSchema);
    // Row predicates pass PostgreSQL's parser and the allowlist before the source sees any query.
    for (const t of narrowed) if (t.where !== null) await requireAllowedPredicate(t, t.where);
    const reach = await withSourceClient(deps, request.source, 'prepare', async (db) => {
      await requireLiveTables(db, narrowed);
      for (const t of narrowed) if (t.where !== null) await checkRowPredicate(db, t, t.where);
      return findCascades(db, narrowed, manifest.tables);
    });
    if (request.probeSnapshot) await probeSafetySnapshot(deps, request.source, [...new Set(narrowed.map((t) => t.schema))]);
    for (const part of selected.flatMap((t) => t.parts)) {
      const check = await verifyObject(store, part, cipher);
      if (check.status !== 'ok') throw new RestorepointError('CHECKSUM_MISMATCH', `${describeCheck(check)}; the rollback touched nothing`, { ...check });
      Context.current().heartbeat({ verified: part.key });
    }
    if (request.restorePoint) await verifyPlanObjects(deps, request.restorePoint, (key) => Context.current().heartbeat({ verified: key }));
    const owned = await withSourceClient(deps, request.source, 'prepare', async (db) => {
      await claimStagingSchema(db, request.stagingSchema, request.rollbackId);
      return ownedSequences(db, narrowed);
    });
    const restored = await restoreExport({
      restoreId: `${request.rollbackId}-staging`,
      exportId: request.exportId,
      target: request.source,
      targetSchema: request.stagingSchema,
      // Exact patterns: a label (`Sales Data.Order.Lines`) would be read back as three parts.
      tables: narrowed.map(exactTablePattern),
      verifyFirst: false,
      requestedBy: request.requestedBy,
    });
    // The staging tables are plain copies in a schema of the source, as a `reconstruct --schema` target.
    const replayed = request.restorePoint
      ? await applyChanges({ reconstructionId: `${request.rollbackId}-staging`, plan: request.restorePoint, target: request.source, targetSchema: request.stagingSchema, tables: narrowed.map(exactTablePattern) })
      : null;
    const tables = await withSourceClient(deps, request.source, 'prepare', (db) => stageKeys(db, narrowed, chosenKeys, request.stagingSchema));
    const outside = await stageReached(request, reach, tables);
    return {
      tables,
      // The trail holds no sequence values: the base's would hand out again ids that rows at
      // the point in time already hold, so a point-in-time rollback leaves sequences as they are.
      sequences: request.restorePoint ? [] : manifest.sequences.filter((s) => owned.has(`${s.schema}.${s.name}`)),
      // For a point in time, the base's snapshot: every row that differs from the target was written after it.
      targetSnapshot: manifest.snapshot.txidSnapshot,
      destination: record.destination,
      stagedRows: restored.rows + outside.stagedRows,
      ...(replayed ? { entriesReplayed: replayed.entriesReplayed } : {}),
      outside: outside.reach,
    };
  }

  /**
   * Tables reached by cascades, when the scope lost referenced keys since the target (nothing
   * outside can have moved otherwise): staged too, read only, for the preview to count (apply
   * never touches them), their objects checked first. A point in time replays the trail into
   * the scope's tables only, so there the export's copy of a reached table would be the base's,
   * not the time's: they are named, not counted.
   */
  async function stageReached(request: PrepareRequest, reach: OutsideScope, scope: readonly ScopeTable[]): Promise<{ reach: OutsideScope; stagedRows: number }> {
    const lost = await withSourceClient(deps, request.source, 'prepare', (db) => scopeLostReferencedKeys(db, reach.edges, scope, request.stagingSchema));
    if (!lost) return { reach: { edges: [], staged: [], uncounted: [] }, stagedRows: 0 };
    if (request.restorePoint) return { reach: { ...reach, staged: [], uncounted: [...reach.uncounted, ...reach.staged.map(label)] }, stagedRows: 0 };
    if (reach.staged.length === 0) return { reach, stagedRows: 0 };
    const restored = await restoreExport({
      restoreId: `${request.rollbackId}-staging-reached`,
      exportId: request.exportId,
      target: request.source,
      targetSchema: request.stagingSchema,
      tables: reach.staged.map(exactTablePattern),
      verifyFirst: true,
      requestedBy: request.requestedBy,
    });
    return { reach, stagedRows: restored.rows };
  }
}

async function requireLiveTables(db: pg.ClientBase, tables: readonly ScopeTable[]): Promise<void> {
  const { rows } = await db.query<{ name: string }>('select t as name from unnest($1::text[]) t where to_regclass(t) is null', [tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`)]);
  if (rows.length > 0) throw new RestorepointError('TABLE_NOT_FOUND', `the live database has no ${rows.map((r) => r.name).join(', ')}`, { tables: rows.map((r) => r.name) });
}

const STAGING_MARK = (rollbackId: string) => `restorepoint rollback ${rollbackId}`;

/**
 * The staging schema must be ours: a schema left by an earlier attempt of this same
 * rollback (marked by its comment) is dropped and made again; anyone else's is refused.
 */
async function claimStagingSchema(db: pg.ClientBase, schema: string, rollbackId: string): Promise<void> {
  const { rows } = await db.query<{ mark: string | null }>("select obj_description(oid, 'pg_namespace') as mark from pg_namespace where nspname = $1", [schema]);
  if (rows.length > 0 && rows[0]!.mark !== STAGING_MARK(rollbackId)) {
    throw new RestorepointError('TARGET_NOT_EMPTY', `schema ${schema} already exists and is not this rollback's; choose another`, { schema });
  }
  if (rows.length > 0) await db.query(`drop schema ${quoteIdent(schema)} cascade`);
  await db.query(`create schema ${quoteIdent(schema)}`);
  await db.query(`comment on schema ${quoteIdent(schema)} is '${STAGING_MARK(rollbackId)}'`);
}

/** Sequences owned by (serial, identity) or used in the defaults of scope tables' columns. */
async function ownedSequences(db: pg.ClientBase, tables: readonly ScopeTable[]): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(
    `with scope as (select to_regclass(t)::oid as oid from unnest($1::text[]) t),
          used as (
            select d.objid as seq from pg_depend d join scope on scope.oid = d.refobjid
             where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
            union
            select d.refobjid from pg_attrdef ad join scope on scope.oid = ad.adrelid
              join pg_depend d on d.classid = 'pg_attrdef'::regclass and d.objid = ad.oid and d.refclassid = 'pg_class'::regclass)
     select n.nspname || '.' || s.relname as name from used join pg_class s on s.oid = used.seq and s.relkind = 'S' join pg_namespace n on n.oid = s.relnamespace`,
    [tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`)],
  );
  return new Set(rows.map((r) => r.name));
}

type KeyRows = NonNullable<PrepareRequest['keys']>[string];
/** Per table (`schema.table`), the primary keys `keys` chose for it. */
type ChosenKeys = ReadonlyMap<string, KeyRows>;

/**
 * Marks the tables narrowed by primary keys (every key must name the whole primary key) or by
 * a row predicate; one table is narrowed one way, and each pattern names exactly one table.
 */
function narrowScope(tables: ScopeTable[], keys: NonNullable<PrepareRequest['keys']>, where: NonNullable<PrepareRequest['where']>, stagingSchema: string): { tables: ScopeTable[]; chosenKeys: ChosenKeys } {
  const narrowed = new Map<ScopeTable, { where: string | null }>();
  const chosenKeys = new Map<string, KeyRows>();
  const oneTable = (pattern: string, what: string, code: 'INPUT_INVALID' | 'ROLLBACK_SCOPE_INVALID') => {
    const matched = selectTables(tables, [pattern], []);
    if (matched.length !== 1) throw new RestorepointError(code, `${what} for "${pattern}" must name exactly one table in scope (it names ${matched.length})`, { table: pattern });
    return matched[0]!;
  };
  const keyed = (table: ScopeTable, code: 'INPUT_INVALID' | 'ROLLBACK_SCOPE_INVALID') => {
    if (!isKeyless(table)) return table;
    throw new RestorepointError(code, `${label(table)} has no primary key, so it cannot be narrowed: it is rolled back whole, as a multiset (copies of each row); leave it out of keys and where`, { table: label(table) });
  };
  for (const [pattern, rows] of Object.entries(keys)) {
    const table = keyed(oneTable(pattern, 'keys', 'INPUT_INVALID'), 'INPUT_INVALID');
    const missing = table.primaryKey.filter((c) => rows.some((r) => !(c in r)));
    if (missing.length > 0) throw new RestorepointError('INPUT_INVALID', `every key of ${label(table)} needs its primary key column(s) ${missing.join(', ')}`);
    narrowed.set(table, { where: null });
    chosenKeys.set(label(table), rows);
  }
  for (const [pattern, predicate] of Object.entries(where)) {
    const table = keyed(oneTable(pattern, 'a row predicate', 'ROLLBACK_SCOPE_INVALID'), 'ROLLBACK_SCOPE_INVALID');
    if (narrowed.has(table)) throw new RestorepointError('ROLLBACK_SCOPE_INVALID', `${label(table)} is narrowed twice (by keys and a row predicate, or by two predicates): give one`, { table: label(table) });
    narrowed.set(table, { where: predicate });
  }
  return {
    tables: tables.map((t) => {
      const n = narrowed.get(t);
      return n ? { ...t, keysTable: qualifiedName(stagingSchema, fittedName(`rp_keys__${t.name}`)), where: n.where } : t;
    }),
    chosenKeys,
  };
}

/**
 * Stores the keys in scope beside the staged target (the chosen ones, or those whose rows the
 * predicate picks), keeps in staging only the target rows with those keys, and counts them.
 */
async function stageKeys(db: pg.ClientBase, tables: readonly ScopeTable[], chosenKeys: ChosenKeys, stagingSchema: string): Promise<ScopeTable[]> {
  const staged: ScopeTable[] = [];
  for (const table of tables) {
    if (table.keysTable === null) {
      staged.push(table);
      continue;
    }
    const q = tableSql(table, stagingSchema);
    await db.query(`create table ${table.keysTable} as select ${q.keyColumns} from ${q.stage} limit 0`);
    const keysInScope = table.where !== null
      ? await stageMatchingKeys(db, table, table.where, stagingSchema)
      : (await db.query(`insert into ${table.keysTable} select distinct ${q.keyColumns} from jsonb_populate_recordset(null::${table.keysTable}, $1::jsonb)`, [JSON.stringify(chosenKeys.get(label(table)) ?? [])])).rowCount ?? 0;
    await db.query(`delete from ${q.stage} s where not exists (select 1 from ${table.keysTable} k where ${q.keyJoin('k', 's')})`);
    staged.push({ ...table, keysInScope });
  }
  return staged;
}
