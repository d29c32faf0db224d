import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { predicateProblem } from '../../postgres/predicate-allowlist';

describe("PostgreSQL's parser and the allowlist decide what a row predicate may hold", () => {
  it('lets columns, constants, built-in casts, operators, IN, BETWEEN, LIKE, IS NULL, CASE and allowed functions through', async () => {
    for (const ok of [
      "rating = 'PG' and length > 90",
      "film.title like 'A%' or title ilike '%z' or title similar to 'B%'",
      "lower(title) = 'academy dinosaur' and upper(coalesce(description, '')) <> ''",
      "rental_rate::numeric(4,2) between 0.99 and 2.99 and film_id in (1, 2, 3) and original_language_id is null",
      "date_trunc('day', last_update) >= '2020-01-01'::timestamptz and extract(year from last_update) > 2000",
      "special_features @> '{Trailers}'::text[] and film_id = any('{1,2}'::int[])",
      "case when rating = 'G' then true else length > 100 end",
      "last_update < now() - interval '1 day' and greatest(length, 0) > 10",
    ]) {
      assert.equal(await predicateProblem(ok, 'film'), null, ok);
    }
  });

  it('refuses every other function, subqueries, aggregates, windows, other tables, session values and foreign types', async () => {
    const refused: readonly [string, RegExp][] = [
      ["pg_read_file('/etc/passwd') is not null", /calls pg_read_file\(\)/],
      ['upper(pg_catalog.current_setting(\'x\')) = \'\'', /calls pg_catalog\.current_setting\(\)/],
      ["pg_catalog.pg_sleep(1) is null", /calls pg_catalog\.pg_sleep\(\)/],
      ['app.lower(title) = 1', /calls app\.lower\(\)/],
      ['exists (select 1 from customer)', /has a subquery/],
      ['count(*) > 0', /calls count\(\)/],
      ['lower(title) over () = 1', /aggregate, window or variadic/],
      ['inventory.film_id = 1', /refers to inventory\.film_id/],
      ['public.film.film_id = 1', /refers to public\.film\.film_id/],
      ["current_user = 'postgres'", /session value/],
      ['film_id::regclass is not null', /casts to regclass/],
      ['rating::public.mpaa_rating is null', /casts to public\.mpaa_rating/],
      ['title collate "C" = \'a\'', /collation/],
      ['(special_features)[1] = 1', /A_Indirection/],
      ['true group by 1', /syntax error|not one expression/],
      ["title = 'x' union select 1", /not one expression|syntax error/],
    ];
    for (const [text, why] of refused) assert.match((await predicateProblem(text, 'film')) ?? 'accepted', why, text);
  });
});
