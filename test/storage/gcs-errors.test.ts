import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestorepointError } from '../../core/errors';
import { gcsStoreError } from '../../storage/gcs-errors';

// Shapes of the client's failures (ApiError, gaxios/node-fetch errors, validation errors),
// mapped without a server: an unreachable endpoint takes the client ~16 s of retries.
describe('gcsStoreError', () => {
  const where = 'object p/k in bucket b';

  it('maps HTTP statuses to the error catalogue', () => {
    const cases: ReadonlyArray<readonly [object, string]> = [
      [{ code: 404 }, 'OBJECT_MISSING'],
      [{ code: 416 }, 'INPUT_INVALID'],
      [{ code: 403 }, 'NOT_AUTHORIZED'],
      [{ response: { status: 401 } }, 'NOT_AUTHORIZED'],
      [{ code: 503 }, 'STORAGE_UNAVAILABLE'],
      [{ status: 429 }, 'STORAGE_UNAVAILABLE'],
    ];
    for (const [shape, expected] of cases) {
      assert.equal(gcsStoreError(Object.assign(new Error('boom'), shape), where).code, expected, JSON.stringify(shape));
    }
  });

  it('lets the caller say what a 404 means (a missing bucket is a configuration fault)', () => {
    assert.equal(gcsStoreError(Object.assign(new Error('no bucket'), { code: 404 }), where, 'CONFIG_INVALID').code, 'CONFIG_INVALID');
  });

  it('treats network failures as the retryable STORAGE_UNAVAILABLE', () => {
    const refused = gcsStoreError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), where);
    assert.equal(refused.code, 'STORAGE_UNAVAILABLE');
    assert.equal(refused.retryable, true);
    assert.match(refused.message, /ECONNREFUSED/);
  });

  it('reports the client’s checksum failures as CHECKSUM_MISMATCH', () => {
    for (const code of ['CONTENT_DOWNLOAD_MISMATCH', 'FILE_NO_UPLOAD']) {
      assert.equal(gcsStoreError(Object.assign(new Error('mismatch'), { code }), where).code, 'CHECKSUM_MISMATCH');
    }
  });

  it('passes restorepoint errors through unchanged', () => {
    const original = new RestorepointError('INPUT_INVALID', 'bad key');
    assert.equal(gcsStoreError(original, where), original);
  });
});
