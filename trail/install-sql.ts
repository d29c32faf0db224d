/** The schema the trail lives in, inside the source database it protects. */
export const TRAIL_SCHEMA = 'restorepoint_trail';

/** Trigger names on tracked tables; `trail status` finds tracked tables by them. */
export const CAPTURE_TRIGGER = 'restorepoint_trail_capture';
export const TRUNCATE_TRIGGER = 'restorepoint_trail_truncate';

/**
 * Everything the trail needs in a source database, safe to run again (every statement is
 * `if not exists` or `or replace`). Requires PostgreSQL 14 or later (xid8, CREATE OR REPLACE
 * TRIGGER, SQL-standard function bodies). The design and its measurements are in
 * docs/change-trail.md; the short version:
 *
 * - `change` is written by the capture triggers inside the app's own transactions, so it is as
 *   cheap as it can be: no CHECK constraints (each costs ~4 µs a row, measured), one index, the
 *   full before and after images as jsonb (computing a diff in plpgsql doubled the cost), and no
 *   lock shared between writers beyond the sequence behind `seq`.
 * - `seal` gives committed entries their chain position and hash later, off the app's path
 *   (see seal-trail.ts); `seal_run` records each sealing and the horizon it reached.
 * - All three tables refuse UPDATE, DELETE and TRUNCATE by ENABLE ALWAYS triggers, so
 *   `session_replication_role = replica` does not bypass them.
 *
 * The capture functions are SECURITY DEFINER so apps need no privilege on the trail and cannot
 * write it directly (EXECUTE is revoked, so no one else can attach them to a table of their
 * own either). Because they run as the trail's owner, a caller's search_path must not choose
 * what they call: every function, operator and type is qualified with pg_catalog. That is
 * instead of a `SET search_path` clause, which costs ~5 µs a row (measured).
 */
export const INSTALL_TRAIL_SQL = `
create schema if not exists restorepoint_trail;
comment on schema restorepoint_trail is 'restorepoint change trail (append-only, hash-chained by sealing), version 1';

create table if not exists restorepoint_trail.change (
  xid            xid8        not null default pg_current_xact_id(),
  seq            bigint      generated always as identity,
  at             timestamptz not null default clock_timestamp(),
  schema_name    text        not null,
  table_name     text        not null,
  op             text        not null,
  key            jsonb,
  old_row        jsonb,
  new_row        jsonb,
  partition_name text,
  actor          text        not null,
  db_user        text        not null,
  application    text,
  primary key (xid, seq)
);

-- Accident detection reads change counts by time (docs/observability.md): a BRIN index on the
-- capture time costs writers next to nothing (one summary per 128 pages), and the trail is
-- written in roughly time order.
create index if not exists change_at_brin on restorepoint_trail.change using brin (at);

create table if not exists restorepoint_trail.seal (
  position bigint primary key,
  xid      xid8   not null,
  seq      bigint not null,
  hash     text   not null,
  unique (xid, seq)
);

create table if not exists restorepoint_trail.seal_run (
  run           bigint      generated always as identity primary key,
  sealed_at     timestamptz not null default clock_timestamp(),
  horizon       xid8        not null,
  entries       bigint      not null,
  last_position bigint
);

create or replace function restorepoint_trail.capture() returns trigger
language plpgsql security definer as $capture$
declare
  before_image pg_catalog.jsonb;
  after_image  pg_catalog.jsonb;
  row_key      pg_catalog.jsonb := '{}';
  key_column   pg_catalog.text;
  app_actor    pg_catalog.text := pg_catalog.current_setting('restorepoint.actor', true);
  app_name     pg_catalog.text := pg_catalog.current_setting('application_name');
begin
  if tg_op operator(pg_catalog.<>) 'INSERT' then before_image := pg_catalog.to_jsonb(old); end if;
  if tg_op operator(pg_catalog.<>) 'DELETE' then after_image := pg_catalog.to_jsonb(new); end if;
  -- tg_argv: the tracked table's schema and name (a partition's root, not the partition), then its key columns.
  foreach key_column in array tg_argv[2:] loop
    row_key := row_key operator(pg_catalog.||)
      pg_catalog.jsonb_build_object(key_column, coalesce(before_image, after_image) operator(pg_catalog.->) key_column);
  end loop;
  if app_actor operator(pg_catalog.=) '' then app_actor := null; end if;
  if app_name operator(pg_catalog.=) '' then app_name := null; end if;
  insert into restorepoint_trail.change (schema_name, table_name, op, key, old_row, new_row, actor, db_user, application)
  values (tg_argv[0], tg_argv[1], pg_catalog.lower(tg_op), row_key, before_image, after_image,
          coalesce(app_actor, session_user), session_user, app_name);
  return null;
end
$capture$;

create or replace function restorepoint_trail.capture_truncate() returns trigger
language plpgsql security definer as $capture$
declare
  app_actor pg_catalog.text := pg_catalog.current_setting('restorepoint.actor', true);
  app_name  pg_catalog.text := pg_catalog.current_setting('application_name');
begin
  if app_actor operator(pg_catalog.=) '' then app_actor := null; end if;
  if app_name operator(pg_catalog.=) '' then app_name := null; end if;
  -- tg_argv: the tracked table's schema and name, then (on a leaf partition) the partition emptied.
  insert into restorepoint_trail.change (schema_name, table_name, op, partition_name, actor, db_user, application)
  values (tg_argv[0], tg_argv[1], 'truncate', tg_argv[2], coalesce(app_actor, session_user), session_user, app_name);
  return null;
end
$capture$;

revoke all on function restorepoint_trail.capture() from public;
revoke all on function restorepoint_trail.capture_truncate() from public;

create table if not exists restorepoint_trail.prune (
  run           bigint      generated always as identity primary key,
  pruned_at     timestamptz not null default clock_timestamp(),
  through       bigint      not null,
  through_hash  text        not null,
  archive       jsonb       not null
);

-- Deletes are refused except inside restorepoint_trail.prune_through(), which sets
-- restorepoint_trail.pruning for its own transaction and removes only sealed entries at or
-- before the newest prune record; the chain then starts from that record's hash.
create or replace function restorepoint_trail.refuse_change() returns trigger language plpgsql as $refuse$
begin
  if tg_op = 'DELETE' and tg_table_name in ('change', 'seal')
     and pg_catalog.current_setting('restorepoint_trail.pruning', true) = 'on' then
    return old;
  end if;
  raise exception 'the change trail is append-only: % on %.% refused', tg_op, tg_table_schema, tg_table_name
    using hint = 'entries are never edited; undo a change with a new change';
end
$refuse$;

create or replace trigger append_only before update or delete on restorepoint_trail.change
  for each row execute function restorepoint_trail.refuse_change();
create or replace trigger append_only_truncate before truncate on restorepoint_trail.change
  for each statement execute function restorepoint_trail.refuse_change();
alter table restorepoint_trail.change enable always trigger append_only, enable always trigger append_only_truncate;

create or replace trigger append_only before update or delete on restorepoint_trail.seal
  for each row execute function restorepoint_trail.refuse_change();
create or replace trigger append_only_truncate before truncate on restorepoint_trail.seal
  for each statement execute function restorepoint_trail.refuse_change();
alter table restorepoint_trail.seal enable always trigger append_only, enable always trigger append_only_truncate;

create or replace trigger append_only before update or delete on restorepoint_trail.seal_run
  for each row execute function restorepoint_trail.refuse_change();
create or replace trigger append_only_truncate before truncate on restorepoint_trail.seal_run
  for each statement execute function restorepoint_trail.refuse_change();
alter table restorepoint_trail.seal_run enable always trigger append_only, enable always trigger append_only_truncate;

create or replace trigger append_only before update or delete on restorepoint_trail.prune
  for each row execute function restorepoint_trail.refuse_change();
create or replace trigger append_only_truncate before truncate on restorepoint_trail.prune
  for each statement execute function restorepoint_trail.refuse_change();
alter table restorepoint_trail.prune enable always trigger append_only, enable always trigger append_only_truncate;

-- The one path that removes entries: records where the kept chain now starts (the last pruned
-- entry's position and hash, checked against the seal here) and what archive holds the rest.
create or replace function restorepoint_trail.prune_through(upto bigint, upto_hash text, archive jsonb) returns bigint
language plpgsql as $prune$
declare
  removed bigint;
begin
  if not exists (select 1 from restorepoint_trail.seal where position = upto and hash = upto_hash) then
    raise exception 'no sealed entry % with hash %', upto, upto_hash using errcode = 'P0002';
  end if;
  insert into restorepoint_trail.prune (through, through_hash, archive) values (upto, upto_hash, archive);
  perform pg_catalog.set_config('restorepoint_trail.pruning', 'on', true);
  delete from restorepoint_trail.change c using restorepoint_trail.seal s
   where s.xid = c.xid and s.seq = c.seq and s.position <= upto;
  get diagnostics removed = row_count;
  delete from restorepoint_trail.seal where position <= upto;
  perform pg_catalog.set_config('restorepoint_trail.pruning', 'off', true);
  return removed;
end
$prune$;
revoke all on function restorepoint_trail.prune_through(bigint, text, jsonb) from public;

-- One link of the hash chain, and the aggregate that runs it as a window over entries in
-- position order. Sealing hashed with these until it moved to Node (seal-trail.ts uses
-- entry-hash.ts's chainHash, as verification does); they stay so that a worker of an earlier
-- version, which still seals with them, extends the same chain during an upgrade.
create or replace function restorepoint_trail.chain_step(state text, start text, canonical text) returns text
  language sql immutable parallel safe
  return encode(sha256(convert_to(coalesce(state, start) || canonical, 'UTF8')), 'hex');
create or replace aggregate restorepoint_trail.hash_chain(text, text) (sfunc = restorepoint_trail.chain_step, stype = text);
`;
