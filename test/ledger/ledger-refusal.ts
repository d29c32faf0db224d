import assert from 'node:assert/strict';
import type { Knex } from 'knex';

/**
 * Makes the catalog's ledger refuse entries on demand, as a worker killed just before its entry
 * would leave a step: `dyingAtTheLedger(step)` refuses every entry while `step` runs, and
 * `dyingAtTheLedger(step, action)` only entries of that action. Either way `step` must fail there.
 */
export async function refuseLedgerEntries(db: Knex): Promise<(step: () => Promise<unknown>, action?: string) => Promise<void>> {
  // While `ledger_refuses` holds a row for the action (or a row with no action), its insert fails.
  await db.raw('create table ledger_refuses (action text)');
  await db.raw(`create function refuse_ledger() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from ledger_refuses where action is null or action = new.action) then
        raise exception 'the step died before its ledger entry (%)', new.action;
      end if;
      return new;
    end $$`);
  await db.raw('create trigger refuse_ledger before insert on ledger for each row execute function refuse_ledger()');
  return async (step, action) => {
    await db('ledger_refuses').insert({ action: action ?? null });
    try {
      await assert.rejects(step, action ? new RegExp(`the step died before its ledger entry \\(${action.replace(/\./g, '\\.')}\\)`) : /the step died before its ledger entry/);
    } finally {
      await db('ledger_refuses').delete();
    }
  };
}
