import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { writeFileOnce } from '../../crypto/write-once-file';

/** The one helper the keyring and the local issuer create their key files with. */
describe('a write-once file', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-write-once-'));
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('is created readable by its owner only, is never overwritten, and leaves no temporary file', () => {
    const file = path.join(folder, 'key');
    assert.equal(writeFileOnce(file, 'first'), true);
    assert.equal(writeFileOnce(file, 'second'), false);
    assert.equal(fs.readFileSync(file, 'utf8'), 'first');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(folder), ['key']);
  });

  it('fails loudly, not silently, when the folder does not exist', () => {
    assert.throws(() => writeFileOnce(path.join(folder, 'missing', 'key'), 'x'), { code: 'ENOENT' });
  });
});
