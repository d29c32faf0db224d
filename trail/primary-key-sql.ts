/**
 * SQL for a table's primary key columns in key order, as a text[] (empty without one), given an
 * SQL expression for the table's oid. Shared by tracking (what capture records) and status (has
 * the key changed since).
 */
export function primaryKeyColumnsSql(tableOid: string): string {
  return `array(select a.attname::text from pg_constraint k
                  cross join lateral unnest(k.conkey) with ordinality as u(attnum, ord)
                  join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum
                 where k.conrelid = ${tableOid} and k.contype = 'p' order by u.ord)`;
}
