import { Context } from '@temporalio/activity';
import type pg from 'pg';
import { RestorepointError } from '../../core/errors';
import type { ManifestSequence } from '../../core/manifest';
import type { RestorePlan } from '../../core/restore-points';
import { selectTables } from '../../core/table-patterns';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';
import type { ActivityDeps } from '../deps';
import { createApplyChangesActivity } from '../point-in-time/apply-changes';
import { verifyPlanObjects } from '../point-in-time/verify-plan-objects';
import { loadVerifiedManifest } from '../restore/load-manifest';
import { createRestoreActivity } from '../restore/restore-export';
import { describeCheck, verifyObject } from '../restore/verify-object';
import { keepAlive } from './keep-alive';
import { label, tableSql, toScopeTables, type ScopeTable } from './scope-table';
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
}

export interface PreparedScope {
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
}

export function createPrepareActivity(deps: ActivityDeps) {
  const restoreExport = createRestoreActivity(deps);
  const applyChanges = createApplyChangesActivity(deps);
  /**
   * Proves everything the rollback will read (manifest against the catalog, every part's
   * sha256 and CRC32C, and for a point in time every archived object of the chain) before
   * touching any database, then loads the target state of the scope into the staging schema.
   * Live data is never written here.
   */
  return async function prepareRollback(request: PrepareRequest): Promise<PreparedScope> {
    return keepAlive(() => prepare(request));
  };

  async function prepare(request: PrepareRequest): Promise<PreparedScope> {
    const { record, manifest, store } = await loadVerifiedManifest(deps, request.exportId);
    const selected = selectTables(manifest.tables, [...request.tables], []);
    const tables = narrowToKeys(toScopeTables(selected), request.keys ?? {}, request.stagingSchema);
    for (const part of selected.flatMap((t) => t.parts)) {
      const check = await verifyObject(store, part);
      if (check.status !== 'ok') throw new RestorepointError('CHECKSUM_MISMATCH', `${describeCheck(check)}; the rollback touched nothing`, { ...check });
      Context.current().heartbeat({ verified: part.key });
    }
    if (request.restorePoint) await verifyPlanObjects(deps, request.restorePoint, (key) => Context.current().heartbeat({ verified: key }));
    const owned = await withSourceClient(deps, request.source, 'prepare', async (db) => {
      await requireLiveTables(db, tables);
      await claimStagingSchema(db, request.stagingSchema, request.rollbackId);
      return ownedSequences(db, tables);
    });
    const restored = await restoreExport({
      restoreId: `${request.rollbackId}-staging`,
      exportId: request.exportId,
      target: request.source,
      targetSchema: request.stagingSchema,
      tables: tables.map(label),
      verifyFirst: false,
      requestedBy: request.requestedBy,
    });
    // The staging tables are plain copies in a schema of the source, as a `reconstruct --schema` target.
    const replayed = request.restorePoint
      ? await applyChanges({ reconstructionId: `${request.rollbackId}-staging`, plan: request.restorePoint, target: request.source, targetSchema: request.stagingSchema, tables: tables.map(label) })
      : null;
    await withSourceClient(deps, request.source, 'prepare', (db) => stageKeys(db, tables, request.keys ?? {}, request.stagingSchema));
    return {
      tables,
      // The trail holds no sequence values: the base's would hand out again ids that rows at
      // the point in time already hold, so a point-in-time rollback leaves sequences as they are.
      sequences: request.restorePoint ? [] : manifest.sequences.filter((s) => owned.has(`${s.schema}.${s.name}`)),
      // For a point in time, the base's snapshot: every row that differs from the target was written after it.
      targetSnapshot: manifest.snapshot.txidSnapshot,
      destination: record.destination,
      stagedRows: restored.rows,
      ...(replayed ? { entriesReplayed: replayed.entriesReplayed } : {}),
    };
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

/** Marks the tables narrowed to some keys; every key must name the whole primary key. */
function narrowToKeys(tables: ScopeTable[], keys: NonNullable<PrepareRequest['keys']>, stagingSchema: string): ScopeTable[] {
  const narrowed = new Map<ScopeTable, string>();
  for (const [pattern, rows] of Object.entries(keys)) {
    const matched = selectTables(tables, [pattern], []);
    if (matched.length !== 1) throw new RestorepointError('INPUT_INVALID', `keys for "${pattern}" must name exactly one table in scope (it names ${matched.length})`);
    const table = matched[0]!;
    const missing = table.primaryKey.filter((c) => rows.some((r) => !(c in r)));
    if (missing.length > 0) throw new RestorepointError('INPUT_INVALID', `every key of ${label(table)} needs its primary key column(s) ${missing.join(', ')}`);
    narrowed.set(table, qualifiedName(stagingSchema, `rp_keys__${table.name}`));
  }
  return tables.map((t) => (narrowed.has(t) ? { ...t, keysTable: narrowed.get(t)! } : t));
}

/** Keeps in staging only the target rows with the chosen keys, and stores the keys beside them. */
async function stageKeys(db: pg.ClientBase, tables: readonly ScopeTable[], keys: NonNullable<PrepareRequest['keys']>, stagingSchema: string): Promise<void> {
  for (const [pattern, rows] of Object.entries(keys)) {
    const table = selectTables(tables, [pattern], [])[0]!;
    const q = tableSql(table, stagingSchema);
    await db.query(`create table ${table.keysTable} as select ${q.keyColumns} from ${q.stage} limit 0`);
    await db.query(`insert into ${table.keysTable} select distinct ${q.keyColumns} from jsonb_populate_recordset(null::${table.keysTable}, $1::jsonb)`, [JSON.stringify(rows)]);
    await db.query(`delete from ${q.stage} s where not exists (select 1 from ${table.keysTable} k where ${q.keyJoin('k', 's')})`);
  }
}
