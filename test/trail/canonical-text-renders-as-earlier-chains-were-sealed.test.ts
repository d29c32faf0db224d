import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { canonicalEntryAs, canonicalEntrySql } from '../../trail/entry-hash';
import { installTrail } from '../../trail';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

// Entries were first hashed over `jsonb_build_array(...)::text`; the canonical text is now
// rendered with `json_build_array`, which is cheaper. Any byte of difference would make every
// chain sealed before look tampered with, so the two renderings are compared on hostile values.

let db: ScratchDatabase;
let client: pg.Client;
before(async () => {
  db = await scratchDatabase('canonical');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await installTrail(client);
  const image = (value: string) => `'${value.replace(/'/g, "''")}'::jsonb`;
  const rows: readonly (readonly string[])[] = [
    // schema, table, op, key, old_row, new_row, partition, actor, application
    [`'public'`, `'t'`, `'update'`, image('{"id": 1}'), image('{"id": 1, "n": 1.50, "big": 123456789012345678901234567890.123, "e": 1e30, "neg": -0.0}'), image('{"id": 1, "n": 2}'), 'null', `'a@app'`, `'app'`],
    [`'we"ird'`, `'ta\\ble'`, `'insert'`, image('{"k\\"ey": "v\\\\al"}'), 'null', image('{"s": "quote \\" backslash \\\\ slash / tab \\t nl \\n cr \\r ff \\f bs \\b ctl \\u0001 \\u001f del \u007f"}'), 'null', `'é ✓ 😀'`, 'null'],
    [`'Schéma'`, `'table with spaces'`, `'delete'`, image('{"id": "x"}'), image('{"u": "\u2028\u2029 é 😀", "nested": {"a": [1, "two", null, true, {"b": []}], "": {}}}'), 'null', 'null', `'line1' || chr(10) || 'line2'`, `'app' || chr(9) || 'tab'`],
    [`'public'`, `'p'`, `'truncate'`, 'null', 'null', 'null', `'public.p_2024'`, `''`, `''`],
    [`'public'`, `'t'`, `'update'`, image('{"id": 9223372036854775807}'), image('{"ts": "2024-01-01T00:00:00.000001+00:00", "arr": [[], [[]], {}], "x": null}'), image('{"f": 0.1, "g": 100, "h": -5e-7}'), 'null', `chr(1) || '"\\'`, 'null'],
  ];
  for (const row of rows) {
    await client.query(
      `insert into restorepoint_trail.change (schema_name, table_name, op, key, old_row, new_row, partition_name, actor, db_user, application)
       values (${row.slice(0, 8).join(', ')}, 'postgres', ${row[8]})`,
    );
  }
});
after(async () => {
  await client.end();
  await db.drop();
});

test('json_build_array renders every entry byte for byte as the jsonb_build_array the first chains were hashed over', async () => {
  const { rows } = await client.query<{ seq: string; now: string; then: string }>(
    `select c.seq::text, ${canonicalEntrySql('c.seq * 1000', 'c')} as now, ${canonicalEntryAs('jsonb_build_array', 'c.seq * 1000', 'c')} as then
       from restorepoint_trail.change c order by c.seq`,
  );
  assert.equal(rows.length, 5);
  for (const row of rows) assert.equal(row.now, row.then, `entry ${row.seq}`);
  // The hostile values did reach the text (not, say, a row of nulls).
  assert.match(rows[1]!.now, /\\u0001/);
  assert.match(rows[2]!.now, /😀/);
});
