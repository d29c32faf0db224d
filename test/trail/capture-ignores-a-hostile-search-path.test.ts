import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listSealedEntries, sealTrail } from '../../trail';
import { trackedPagila, type TrackedPagila } from './tracked-pagila';

// Capture runs as the trail's owner (SECURITY DEFINER), so a caller's search_path must not be able
// to put its own functions, operators or types in the way: they would run with the owner's rights.

let pagila: TrackedPagila;
before(async () => {
  pagila = await trackedPagila(['actor']);
  await pagila.client.query(`
    create schema evil;
    create function evil.hijacked() returns boolean language plpgsql as $$ begin raise exception 'hijacked'; end $$;
    create function evil.lower(text) returns text language sql as $$ select evil.hijacked()::text $$;
    create function evil.to_jsonb(anyelement) returns jsonb language sql as $$ select evil.hijacked()::text::jsonb $$;
    create function evil.current_setting(text, boolean) returns text language sql as $$ select evil.hijacked()::text $$;
    create function evil.current_setting(text) returns text language sql as $$ select evil.hijacked()::text $$;
    create function evil.text_ne(text, text) returns boolean language sql as $$ select evil.hijacked() $$;
    create operator evil.<> (leftarg = text, rightarg = text, function = evil.text_ne);
    create operator evil.= (leftarg = text, rightarg = text, function = evil.text_ne);
    create function evil.jsonb_cat(jsonb, jsonb) returns jsonb language sql as $$ select evil.hijacked()::text::jsonb $$;
    create operator evil.|| (leftarg = jsonb, rightarg = jsonb, function = evil.jsonb_cat);
    create function evil.jsonb_get(jsonb, text) returns jsonb language sql as $$ select evil.hijacked()::text::jsonb $$;
    create operator evil.-> (leftarg = jsonb, rightarg = text, function = evil.jsonb_get);
    create domain evil.jsonb as pg_catalog.jsonb check (evil.hijacked());
    create domain evil.text as pg_catalog.text check (evil.hijacked());
  `);
});
after(() => pagila.close());

test('a write with the hostile schema first on the search path is captured normally', async () => {
  await pagila.client.query(`begin; set local search_path = evil, pg_catalog, public; set local restorepoint.actor = 'eve@app';
                             update public.actor set last_name = 'X' where actor_id = 1; commit`);
  await sealTrail(pagila.client);
  const [entry] = await listSealedEntries(pagila.client, { after: 0 });
  assert.deepEqual([entry?.op, entry?.key, entry?.actor, entry?.newRow?.last_name], ['update', { actor_id: 1 }, 'eve@app', 'X']);
});

test('the hostile schema is live: an unqualified call reaches it', async () => {
  await assert.rejects(pagila.client.query(`begin; set local search_path = evil, pg_catalog, public; select lower('A')`), /hijacked/);
  await pagila.client.query('rollback');
});
