import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withTypedFailures } from '../../activities/typed-failures';
import { RestorepointError } from '../../core/errors';
import { redactSecrets } from '../../core/redact';

describe('connection passwords are taken out of text in one place', () => {
  it('redacts URL passwords and password= keywords, and leaves everything else as it was', () => {
    const cases: readonly [string, string][] = [
      ['postgres://alice:s3cret@db:5432/app', 'postgres://alice:***@db:5432/app'],
      ['no source named "postgresql://bob:p@ss/w:rd@h/db"', 'no source named "postgresql://bob:***@h/db"'],
      ['postgres://:only-password@h/db', 'postgres://:***@h/db'],
      ["host=db password='se cret' dbname=app", 'host=db password=*** dbname=app'],
      ['postgres://h/db?sslmode=require&password=abc&user=x', 'postgres://h/db?sslmode=require&password=***&user=x'],
      ['postgres://alice@db/app gs://bucket/x file:///tmp/a', 'postgres://alice@db/app gs://bucket/x file:///tmp/a'],
      ['rating = \'PG\' and length > 90', 'rating = \'PG\' and length > 90'],
    ];
    for (const [text, expected] of cases) assert.equal(redactSecrets(text), expected, text);
  });

  it('applies to every typed error and to any other error an activity throws', async () => {
    assert.equal(new RestorepointError('SOURCE_UNKNOWN', 'no source named "postgres://a:secret@h/db"').message, 'no source named "postgres://a:***@h/db"');
    const activities = withTypedFailures({
      untyped: async () => {
        throw Object.assign(new Error('connect failed for postgres://a:secret@h/db'), { code: 'ECONNREFUSED' });
      },
    });
    await assert.rejects(activities.untyped(), (e: Error & { code?: string }) => e.message === 'connect failed for postgres://a:***@h/db' && e.code === 'ECONNREFUSED');
  });
});
