import type { ManifestTable } from '../../core/manifest';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';

/**
 * The statements that bring one table from its state before a run of trail entries (positions
 * in (after, before), none of them a truncate) to its state after them, set-based: every row
 * identity the entries touch (an update that changes the key touches two) takes the image of
 * the last entry that touched it, a row or nothing. So the cost follows the entries, and
 * replaying an entry twice changes nothing. Row identities are compared as the table's typed
 * key columns, not as JSON text, so a key rendered differently by two sessions is one row.
 * Params: $1 schema, $2 table, $3 after, $4 before (as recorded in the trail).
 */
export function replaySegmentSql(target: string, table: Pick<ManifestTable, 'primaryKey' | 'columns'>): readonly string[] {
  const keys = table.primaryKey.map((column, i) => ({ column: quoteIdent(column), alias: `k${i}` }));
  const keyList = keys.map((k) => `r.${k.column} as ${k.alias}`).join(', ');
  const aliases = keys.map((k) => k.alias).join(', ');
  const columns = table.columns.filter((c) => c.generated === null).map((c) => quoteIdent(c.name));
  // Identity ALWAYS columns take the recorded values, as the restore's COPY does.
  const overriding = table.columns.some((c) => c.identity === 'always') ? ' overriding system value' : '';
  const inRun = `a.schema_name = $1 and a.table_name = $2 and a.position > $3 and a.position < $4`;
  return [
    `drop table if exists restorepoint_replay_last`,
    `create temporary table restorepoint_replay_last on commit drop as
       select distinct on (${aliases}) ${aliases}, image from (
         select a.position, 0 as half, ${keyList}, null::jsonb as image
           from restorepoint_replay a cross join lateral jsonb_populate_record(null::${target}, a.old_row) r
          where ${inRun} and a.op in ('update', 'delete')
         union all
         select a.position, 1 as half, ${keyList}, a.new_row
           from restorepoint_replay a cross join lateral jsonb_populate_record(null::${target}, a.new_row) r
          where ${inRun} and a.op in ('insert', 'update')
       ) touched order by ${aliases}, position desc, half desc`,
    `delete from ${target} t using restorepoint_replay_last l where (${keys.map((k) => `t.${k.column}`).join(', ')}) = (${keys.map((k) => `l.${k.alias}`).join(', ')})`,
    `insert into ${target} (${columns.join(', ')})${overriding}
       select ${columns.map((c) => `r.${c}`).join(', ')}
         from restorepoint_replay_last l cross join lateral jsonb_populate_record(null::${target}, l.image) r
        where l.image is not null`,
  ];
}

/** A recorded truncate: of the whole table, or of one leaf partition (`schema.partition` as recorded). */
export function replayTruncateSql(target: string, partition: string | null): string {
  if (partition === null) return `delete from ${target}`;
  const dot = partition.indexOf('.');
  return `delete from only ${qualifiedName(partition.slice(0, dot), partition.slice(dot + 1))}`;
}
