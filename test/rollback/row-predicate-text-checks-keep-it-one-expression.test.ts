import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rowPredicateProblem } from '../../core/rollback/row-predicate';

describe('the text checks keep a row predicate one expression inside its parentheses', () => {
  it('lets ordinary predicates through, quotes and parentheses included', () => {
    for (const ok of ["rating = 'PG' and length > 90", `title in ('it''s', 'a (b')`, `"Weird ""col"")" is not null`, "(a or b) and not (c)", "title like 'A%' escape '!'"]) {
      assert.equal(rowPredicateProblem(ok), null, ok);
    }
  });

  it('refuses separators, comments, dollar quotes, backslashes and parentheses that escape, even inside strings', () => {
    const refused: readonly [string, RegExp][] = [
      ['1; drop table film', /statement separator/],
      ["title = 'a;b'", /statement separator/],
      ['true -- and false', /comment "--"/],
      ['true /* x */', /comment/],
      ['$$x$$ = title', /dollar/],
      ["title = E'\\''", /backslash/],
      ['true) or (true', /closes a parenthesis it did not open/],
      ['(true', /never closed/],
      ["title = 'open", /string is not closed/],
      ['"open = 1', /quoted name is not closed/],
      ['   ', /empty/],
      ['x'.repeat(4001), /longer than/],
    ];
    for (const [text, why] of refused) assert.match(rowPredicateProblem(text) ?? 'accepted', why, text);
  });
});
