import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localeFromAcceptLanguage, message } from '../../console/messages';

describe('the console picks its language from Accept-Language by weight, English otherwise', () => {
  const cases: readonly (readonly [string | undefined, 'en' | 'de'])[] = [
    [undefined, 'en'],
    ['', 'en'],
    ['de', 'de'],
    ['de-AT,de;q=0.9', 'de'],
    ['fr-FR,fr;q=0.9,de;q=0.8,en;q=0.7', 'de'],
    ['en;q=0.4,de;q=0.6', 'de'],
    ['de;q=0,en', 'en'],
    ['ja,zh', 'en'],
  ];
  for (const [header, expected] of cases) {
    it(`"${header ?? '(none)'}" → ${expected}`, () => assert.equal(localeFromAcceptLanguage(header), expected));
  }

  it('fills placeholders and leaves unknown ones visible', () => {
    assert.equal(message('de', 'nav.signedInAs', { subject: 'bob' }), 'Angemeldet als bob');
    assert.equal(message('en', 'nav.signedInAs'), 'Signed in as {subject}');
  });
});
