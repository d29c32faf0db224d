import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { manifestSchema } from '../../core/manifest';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, sql, type ExportWorld } from './harness';

/**
 * Every write to parent and child is also appended, by trigger and in the same transaction,
 * to `history` with the writing transaction's id and the row's version (bumped under the
 * row lock, so per row the versions order the writes as they committed). The rows at the
 * export's snapshot are then, per id, the highest version written by a transaction visible
 * in the manifest's txid snapshot (`pg_visible_in_snapshot`), unless that one deleted it.
 */
const SCHEMA = [
  `create table history (txid xid8 not null default pg_current_xact_id(), tbl text not null, id int not null, version int not null, data jsonb)`,
  `create function remember() returns trigger language plpgsql as $$
   begin
     if tg_op = 'DELETE' then insert into history (tbl, id, version, data) values (tg_table_name, old.id, old.version + 1, null); return old; end if;
     insert into history (tbl, id, version, data) values (tg_table_name, new.id, new.version, to_jsonb(new)); return new;
   end $$`,
  `create table parent (id serial primary key, name text not null, version int not null default 1)`,
  `create table child (id serial primary key, parent_id int not null references parent, v int not null, version int not null default 1)`,
  `create trigger parent_history after insert or update or delete on parent for each row execute function remember()`,
  `create trigger child_history after insert or update or delete on child for each row execute function remember()`,
  `insert into parent (name) select 'p' || g from generate_series(1, 2000) g`,
  `insert into child (parent_id, v) select 1 + g % 2000, g from generate_series(1, 10000) g`,
];

/** One writer: random transactions touching both tables until told to stop. */
async function writer(url: string, stop: () => boolean): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let committed = 0;
  try {
    while (!stop()) {
      const pick = `(select id from parent where id >= (select floor(random() * max(id)) from parent) order by id limit 1)`;
      const statements = [
        [`with p as (insert into parent (name) values ('new') returning id) insert into child (parent_id, v) select p.id, g from p, generate_series(1, 3) g`],
        [`update parent set name = name || '+', version = version + 1 where id = ${pick}`, `update child set v = v + 1, version = version + 1 where parent_id = (select max(parent_id) from child)`],
        [`create temp table if not exists doomed (id int)`, `truncate doomed`, `insert into doomed select ${pick}`, `delete from child where parent_id in (select id from doomed)`, `delete from parent where id in (select id from doomed)`],
        [`update child set parent_id = ${pick}, version = version + 1 where id = (select min(id) from child where v % 5 = 0)`],
      ][Math.floor(Math.random() * 4)]!;
      try {
        await client.query('begin');
        for (const s of statements) await client.query(s);
        await client.query('commit');
        committed += 1;
      } catch (error) {
        await client.query('rollback');
        if (!['40P01', '40001', '23503'].includes((error as { code?: string }).code ?? '')) throw error;
      }
    }
    return committed;
  } finally {
    await client.end();
  }
}

describe('writers change related tables during an export; the restore is the database at the snapshot', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const destination = `gs://restorepoint-writers-${process.pid}/x`;

  before(async () => {
    source = await scratchDatabase('writers');
    target = await scratchDatabase('writers_dst');
    await sql(source.url, ...SCHEMA);
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 16 * 1024 });
  });
  after(async () => {
    await w?.close();
    await source?.drop();
    await target?.drop();
  });

  it('satisfies every foreign key and equals the rows visible in the manifest snapshot', async () => {
    let stopped = false;
    const writers = [1, 2, 3].map(() => writer(source.url, () => stopped));
    await new Promise((r) => setTimeout(r, 300));
    const exportId = 'writers-1';
    // Slowed down, so the writers commit many transactions while tables are being read.
    await w.exportNow({ exportId, source: 'src', destination, concurrency: 2, maxBytesPerSecond: 128 * 1024, exclude: ['history'] }).finally(() => (stopped = true));
    const committed = (await Promise.all(writers)).reduce((a, b) => a + b, 0);
    const manifest = manifestSchema.parse(JSON.parse((await w.store(destination).getBytes(`${exportId}/manifest.json`)).toString('utf8')));
    const snapshot = manifest.snapshot.txidSnapshot;
    const after = await sql<{ n: string }>(source.url, `select count(*)::text as n from history where not pg_visible_in_snapshot(txid, '${snapshot}'::pg_snapshot)`);
    assert.ok(Number(after[0]!.n) > 50, `only ${after[0]!.n} row writes after the snapshot (${committed} transactions)`);

    await w.restoreNow({ exportId, target: 'dst' });
    const orphans = await sql<{ n: string }>(target.url, `select count(*)::text as n from child c where not exists (select 1 from parent p where p.id = c.parent_id)`);
    assert.equal(orphans[0]!.n, '0');

    for (const table of ['parent', 'child']) {
      const expected = await sql<{ data: string }>(
        source.url,
        `select data::text from (select distinct on (id) id, data from history where tbl = '${table}' and pg_visible_in_snapshot(txid, '${snapshot}'::pg_snapshot) order by id, version desc) s
          where data is not null order by id`,
      );
      const restored = await sql<{ data: string }>(target.url, `select to_jsonb(t)::text as data from ${table} t order by id`);
      assert.equal(restored.length, expected.length, `${table}: row count`);
      assert.deepEqual(restored, expected, `${table}: rows`);
      const now = await sql<{ data: string }>(source.url, `select to_jsonb(t)::text as data from ${table} t order by id`);
      assert.notDeepEqual(now, expected, `${table} did not change after the snapshot`);
    }
  });
});
