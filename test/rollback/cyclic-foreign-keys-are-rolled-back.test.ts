import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRollback } from '../../client/rollbacks';
import { databaseFingerprint } from '../support/pagila';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

/**
 * Pagila has no cycles; this schema has all three kinds: a self-reference (mentor), two
 * tables pointing at each other with one key deferrable (department ⇄ employee), and two
 * pointing at each other with neither deferrable (team_a ⇄ team_b).
 */
const SCHEMA = `
  create table department (id int primary key, name text not null, manager_id int);
  create table employee (id int primary key, name text not null, department_id int not null references department (id), mentor_id int references employee (id));
  alter table department add constraint department_manager_fk foreign key (manager_id) references employee (id) deferrable initially deferred;
  create table team_a (id int primary key, label text, partner_id int);
  create table team_b (id int primary key, label text, partner_id int references team_a (id));
  alter table team_a add constraint team_a_partner_fk foreign key (partner_id) references team_b (id);
  begin;
  insert into department select d, 'dept ' || d, d * 10 from generate_series(1, 3) d;
  insert into employee select e, 'employee ' || e, 1 + e % 3, case when e > 1 then e - 1 end from generate_series(1, 30) e;
  commit;
  insert into team_a select i, 'a' || i, null from generate_series(1, 20) i;
  insert into team_b select i, 'b' || i, i from generate_series(1, 20) i;
  update team_a set partner_id = id;
`;

describe('tables in foreign-key cycles are rolled back (self-reference, deferrable and not)', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  before(async () => {
    db = await scratchDatabase('rollback_cycles');
    await sql(db.url, SCHEMA);
    rw = await startRollbackWorld(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  it('restores rows deleted and changed along every cycle', async () => {
    const exportId = await rw.exportApp();
    const beforeAccident = await databaseFingerprint(db.url);
    await sql(db.url, `
      update employee set mentor_id = null where id % 3 = 1;
      update department set manager_id = null, name = upper(name);
      delete from employee where id % 3 = 0;
      update team_a set partner_id = null where id > 10;
      delete from team_b where id > 10;
      delete from team_a where id > 15;
    `);

    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['department', 'employee', 'team_a', 'team_b'], requestedBy: 'alice', reason: 'cleanup script ran on production', batchRows: 3 });
    const preview = (await waitForStage(rollback, 'awaiting-approval')).preview!;
    const byTable = Object.fromEntries(preview.tables.map((t) => [t.table, t]));
    assert.equal(byTable['public.employee']!.inserts, 10);
    assert.equal(byTable['public.department']!.updates, 3);
    assert.equal(byTable['public.team_b']!.inserts, 10);
    assert.equal(byTable['public.team_a']!.inserts, 5);
    assert.equal(preview.totals.conflicts, 0);

    await rollback.decide('approve', 'carol', 'ok');
    const done = await rollback.result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.deepEqual(await databaseFingerprint(db.url), beforeAccident);
    // The constraints hold for real, not only by our own check: validate them again.
    await sql(db.url, 'alter table employee drop constraint employee_mentor_id_fkey, add constraint employee_mentor_id_fkey foreign key (mentor_id) references employee (id)');
  });
});
