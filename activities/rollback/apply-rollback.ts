import type pg from 'pg';
import { asTypedDatabaseError, RestorepointError } from '../../core/errors';
import type { ManifestSequence } from '../../core/manifest';
import type { ApplyProgress } from '../../core/rollback/rollback-state';
import { parentsFirst } from '../../core/table-order';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';
import type { ActivityDeps } from '../deps';
import { diffQueries, fingerprint } from './diff-sql';
import { countViolations, listScopeForeignKeys } from './scope-foreign-keys';
import { isKeyless, label, tableSql, type ScopeTable } from './scope-table';
import { keepAlive } from './keep-alive';
import { withSourceClient } from './source-client';

export interface ApplyRequest {
  readonly rollbackId: string;
  readonly source: string;
  readonly stagingSchema: string;
  readonly tables: readonly ScopeTable[];
  readonly sequences: readonly ManifestSequence[];
  /** Live fingerprints the approvers saw; apply stops if live data in scope differs from them. */
  readonly expectedLive: Readonly<Record<string, string>>;
  readonly batchRows: number;
  readonly lockTimeoutSeconds: number;
  /** The verified subject the change trail records for these changes (`restorepoint.actor`); default the database user. */
  readonly actor?: string;
}

export interface ApplyResult {
  /** Fingerprints of live data in scope once applied (equal to the target's): compensation expects to find them. */
  readonly liveAfter: Readonly<Record<string, string>>;
  /** True when live data already equalled the target (a retry after a commit whose reply was lost). */
  readonly alreadyApplied: boolean;
  readonly deleted: number;
  readonly upserted: number;
  readonly sequences: number;
}

export function createApplyActivity(deps: ActivityDeps) {
  /**
   * Makes live data in scope equal the staged target, in ONE transaction: a worker that dies
   * mid-apply leaves nothing half-applied (the connection drops, PostgreSQL rolls back) and
   * the retry starts over. Writers are kept out by EXCLUSIVE table locks (readers go on);
   * a writer holding the scope, or any change since the preview, stops the rollback.
   */
  return async function applyRollback(request: ApplyRequest): Promise<ApplyResult> {
    // Progress leaves as keepAlive's heartbeat details (never a signal: history would grow with time); `rollback status` reads them.
    let progress: ApplyProgress = { table: null, rowsApplied: 0, rowsPlanned: 0 };
    const report = (next: ApplyProgress) => {
      progress = next;
    };
    return keepAlive(
      () => withSourceClient(deps, request.source, 'apply', async (db) => {
        try {
          await db.query('begin');
          if (request.actor) await db.query("select set_config('restorepoint.actor', $1, true)", [request.actor]);
          const result = await applyInTransaction(db, request, report);
          await db.query('commit');
          return result;
        } catch (error) {
          await db.query('rollback').catch(() => undefined);
          if ((error as { code?: string }).code === '55P03') {
            throw new RestorepointError('SCOPE_CHANGED', `a writer held the scope's tables for more than ${request.lockTimeoutSeconds}s; the rollback stopped and changed nothing`, { source: request.source });
          }
          throw asTypedDatabaseError(error, 'ROLLBACK_REFUSED', 'apply failed and was rolled back; live data is unchanged');
        }
      }),
      () => progress,
    );
  };
}

async function applyInTransaction(db: pg.ClientBase, request: ApplyRequest, report: (p: ApplyProgress) => void): Promise<ApplyResult> {
  const { tables, stagingSchema } = request;
  await db.query(`set local lock_timeout = '${request.lockTimeoutSeconds}s'`);
  await db.query(`lock table ${tables.map((t) => qualifiedName(t.schema, t.name)).join(', ')} in exclusive mode`);
  // The app's triggers (audit columns, notifications) must not fire on restored rows, and
  // foreign keys are checked once, for the whole result, before commit (cycles included).
  await db.query('set local session_replication_role = replica');

  const live: Record<string, string> = {};
  const liveAfter: Record<string, string> = {};
  for (const t of tables) {
    const q = tableSql(t, stagingSchema);
    live[label(t)] = await fingerprint(db, t, q.liveRows);
    liveAfter[label(t)] = await fingerprint(db, t, q.stage);
  }
  if (tables.every((t) => live[label(t)] === liveAfter[label(t)])) return { liveAfter, alreadyApplied: true, deleted: 0, upserted: 0, sequences: 0 };
  const changed = tables.map(label).filter((name) => live[name] !== request.expectedLive[name]);
  if (changed.length > 0) {
    throw new RestorepointError('SCOPE_CHANGED', `live data in ${changed.join(', ')} changed after the preview was approved; the rollback stopped and changed nothing (preview again)`, { tables: changed });
  }

  const planned: { t: ScopeTable; deletes: number; upserts: number }[] = [];
  for (const [i, t] of tables.entries()) {
    const d = diffQueries(t, stagingSchema);
    // What a delete finds its row by: the primary key, or (no key) the very copy the multiset diff chose.
    const found = isKeyless(t) ? 'l.rp_tableoid, l.rp_ctid' : t.primaryKey.map((c) => `l.${quoteIdent(c)}`).join(', ');
    const del = await db.query(`create temporary table rp_delete_${i} on commit drop as select row_number() over () as rp_n, ${found} ${d.deletes}`);
    const cols = t.columns.map((c) => `, s.${quoteIdent(c)}`).join('');
    const ups = await db.query(`create temporary table rp_upsert_${i} on commit drop as select row_number() over () as rp_n, u.* from (select 1 as rp_one${cols} ${d.inserts} union all select 1${cols} ${d.updates}) u`);
    // Batches select by position: an index keeps each batch from scanning the whole plan.
    await db.query(`create index on rp_delete_${i} (rp_n)`);
    await db.query(`create index on rp_upsert_${i} (rp_n)`);
    await db.query(`analyze rp_delete_${i}, rp_upsert_${i}`);
    planned.push({ t, deletes: del.rowCount ?? 0, upserts: ups.rowCount ?? 0 });
  }
  const total = planned.reduce((s, p) => s + p.deletes + p.upserts, 0);
  let applied = 0;
  const { ordered, cyclic } = parentsFirst(planned.map((p) => ({ ...p.t, plan: p })));
  const parentsToChildren = [...ordered, ...cyclic];

  // Deletes children first, so a parent row never goes before the rows that point at it.
  for (const entry of [...parentsToChildren].reverse()) {
    const i = tables.indexOf(entry.plan.t);
    const q = tableSql(entry.plan.t, stagingSchema);
    const match = isKeyless(entry.plan.t) ? 'l.tableoid = d.rp_tableoid and l.ctid = d.rp_ctid' : entry.plan.t.primaryKey.map((c) => `l.${quoteIdent(c)} = d.${quoteIdent(c)}`).join(' and ');
    for (let from = 0; from < entry.plan.deletes; from += request.batchRows) {
      const done = await db.query(`delete from ${q.liveFrom} l using rp_delete_${i} d where ${match} and d.rp_n > ${from} and d.rp_n <= ${from + request.batchRows}`);
      applied += done.rowCount ?? 0;
      report({ table: label(entry.plan.t), rowsApplied: applied, rowsPlanned: total });
    }
  }
  // Then inserts and updates, parents first (a table without a key only gets inserts: copies added).
  for (const entry of parentsToChildren) {
    const t = entry.plan.t;
    const i = tables.indexOf(t);
    const q = tableSql(t, stagingSchema);
    const others = t.columns.filter((c) => !t.primaryKey.includes(c));
    const onConflict = isKeyless(t) ? '' : `on conflict (${q.keyColumns}) ${others.length > 0 ? `do update set ${others.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}` : 'do nothing'}`;
    const into = t.columns.length > 0 ? `${q.live} (${q.columns})` : q.live;
    for (let from = 0; from < entry.plan.upserts; from += request.batchRows) {
      const done = await db.query(
        `insert into ${into} ${t.identityAlways ? 'overriding system value' : ''}
           select ${q.columns} from rp_upsert_${i} where rp_n > ${from} and rp_n <= ${from + request.batchRows}
           ${onConflict}`,
      );
      applied += done.rowCount ?? 0;
      report({ table: label(t), rowsApplied: applied, rowsPlanned: total });
    }
  }

  for (const seq of request.sequences) await db.query('select setval($1::regclass, $2::bigint, $3)', [qualifiedName(seq.schema, seq.name), seq.lastValue, seq.isCalled]);

  for (const fk of await listScopeForeignKeys(db, tables)) {
    const violations = await countViolations(db, fk, qualifiedName(fk.child.schema, fk.child.name), qualifiedName(fk.parent.schema, fk.parent.name));
    if (violations > 0) {
      throw new RestorepointError('ROLLBACK_REFUSED', `${violations} rows of ${label(fk.child)} would reference missing ${label(fk.parent)} rows (${fk.name}); nothing was changed`, { constraint: fk.name, rows: violations });
    }
  }
  return { liveAfter, alreadyApplied: false, deleted: planned.reduce((s, p) => s + p.deletes, 0), upserted: planned.reduce((s, p) => s + p.upserts, 0), sequences: request.sequences.length };
}
