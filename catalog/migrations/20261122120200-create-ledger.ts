import type { Knex } from 'knex';

/**
 * The audit ledger: append-only and hash-chained (see catalog/ledger/ledger-hash.ts). The
 * database itself refuses UPDATE, DELETE and TRUNCATE, so no code path, bug or hand-typed query
 * can rewrite history; only the table owner disabling the triggers can, and the hash chain
 * exposes that. The triggers are ENABLE ALWAYS so `session_replication_role = replica` does
 * not bypass them either.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table ledger (
      seq       bigint      primary key check (seq > 0),
      -- Milliseconds only: the hash covers at as a JS Date holds it, so finer digits must not exist.
      at        timestamptz not null check (at = date_trunc('milliseconds', at)),
      actor     text        not null check (actor <> ''),
      action    text        not null check (action <> ''),
      subject   text,
      outcome   text        not null check (outcome <> ''),
      details   jsonb       not null default '{}'::jsonb check (jsonb_typeof(details) = 'object'),
      prev_hash text        not null check (prev_hash ~ '^[0-9a-f]{64}$'),
      hash      text        not null unique check (hash ~ '^[0-9a-f]{64}$')
    );
    create index ledger_subject_seq on ledger (subject, seq);
    create index ledger_action_seq on ledger (action, seq);

    create function ledger_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit ledger is append-only: % refused', tg_op
        using hint = 'record a correcting entry instead';
    end
    $$;
    create trigger ledger_no_update_or_delete before update or delete on ledger
      for each row execute function ledger_refuse_change();
    create trigger ledger_no_truncate before truncate on ledger
      for each statement execute function ledger_refuse_change();
    alter table ledger enable always trigger ledger_no_update_or_delete;
    alter table ledger enable always trigger ledger_no_truncate;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table ledger; drop function ledger_refuse_change()');
}
