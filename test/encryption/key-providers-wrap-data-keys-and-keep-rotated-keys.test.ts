import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CloudKmsKeyProvider, type KmsClient } from '../../crypto/cloud-kms';
import { LocalKeyring } from '../../crypto/local-keyring';
import { isRestorepointError } from '../../core/errors';

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: unknown) => (isRestorepointError(e) ? e.code : String(e)),
  );

describe('the local keyring', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-keyring-'));
  const file = path.join(dir, 'keys', 'keyring.json');

  it('is created on first use, readable only by its owner, and never holds a data key', async () => {
    const ring = new LocalKeyring(file);
    const dataKey = randomBytes(32);
    const { keyId, wrapped } = await ring.wrap(dataKey, 'restorepoint export a');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(keyId, await ring.currentKeyId());
    assert.ok(!fs.readFileSync(file).includes(dataKey.toString('base64')));
    assert.ok(!wrapped.includes(dataKey));
    assert.deepEqual(await ring.unwrap(keyId, wrapped, 'restorepoint export a'), dataKey);
  });

  it('a wrapped key moved to another export, or an unknown key id, is refused with a typed code', async () => {
    const ring = new LocalKeyring(file);
    const { keyId, wrapped } = await ring.wrap(randomBytes(32), 'restorepoint export a');
    assert.equal(await codeOf(ring.unwrap(keyId, wrapped, 'restorepoint export b')), 'DECRYPTION_FAILED');
    assert.equal(await codeOf(ring.unwrap('local-0000000000000000', wrapped, 'restorepoint export a')), 'KEY_MISSING');
  });

  it('rotation adds a current key and keeps the old ones, so keys wrapped before still unwrap', async () => {
    const ring = new LocalKeyring(file);
    const dataKey = randomBytes(32);
    const before = await ring.wrap(dataKey, 'restorepoint export a');
    const rotated = ring.rotate();
    assert.notEqual(rotated, before.keyId);
    assert.equal(await ring.currentKeyId(), rotated);
    assert.deepEqual(await ring.unwrap(before.keyId, before.wrapped, 'restorepoint export a'), dataKey);
    assert.equal((await ring.wrap(dataKey, 'restorepoint export a')).keyId, rotated);
    // A second ensure() (another process's first use) keeps the keys.
    ring.ensure();
    assert.equal(await ring.currentKeyId(), rotated);
  });
});

/**
 * Cloud KMS has no emulator: this fake stands in for KeyManagementServiceClient and proves only
 * the provider's plumbing (request fields, AAD, error codes). Real KMS is not exercised here.
 */
describe('the Cloud KMS provider (plumbing only, against a fake client)', () => {
  const keyName = 'projects/p/locations/global/keyRings/r/cryptoKeys/k';
  const kek = randomBytes(32);
  const requests: { op: string; name: string; aad: string }[] = [];
  const fake: KmsClient = {
    async encrypt({ name, plaintext, additionalAuthenticatedData }) {
      requests.push({ op: 'encrypt', name, aad: additionalAuthenticatedData.toString() });
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', kek, iv);
      c.setAAD(additionalAuthenticatedData);
      const body = Buffer.concat([c.update(plaintext), c.final()]);
      return [{ ciphertext: Buffer.concat([iv, c.getAuthTag(), body]), name: `${name}/cryptoKeyVersions/1` }];
    },
    async decrypt({ name, ciphertext, additionalAuthenticatedData }) {
      requests.push({ op: 'decrypt', name, aad: additionalAuthenticatedData.toString() });
      if (name !== keyName) throw Object.assign(new Error('NOT_FOUND: key'), { code: 5 });
      const d = createDecipheriv('aes-256-gcm', kek, ciphertext.subarray(0, 12));
      d.setAAD(additionalAuthenticatedData);
      d.setAuthTag(ciphertext.subarray(12, 28));
      try {
        return [{ plaintext: Buffer.concat([d.update(ciphertext.subarray(28)), d.final()]) }];
      } catch {
        throw Object.assign(new Error('INVALID_ARGUMENT: Decryption failed'), { code: 3 });
      }
    },
  };

  it('wraps under the configured CryptoKey with the export as AAD, and unwraps', async () => {
    const kms = new CloudKmsKeyProvider(fake, keyName);
    const dataKey = randomBytes(32);
    const { keyId, wrapped } = await kms.wrap(dataKey, 'restorepoint export a');
    assert.equal(keyId, keyName);
    assert.deepEqual(await kms.unwrap(keyId, wrapped, 'restorepoint export a'), dataKey);
    assert.deepEqual(requests.map((r) => r.aad), ['restorepoint export a', 'restorepoint export a']);
    assert.equal(await codeOf(kms.unwrap(keyId, wrapped, 'restorepoint export b')), 'DECRYPTION_FAILED');
    assert.equal(await codeOf(kms.unwrap(`${keyName}-gone`, wrapped, 'restorepoint export a')), 'KEY_MISSING');
  });

  it('a KMS that does not answer is retryable, one that refuses the caller is not', async () => {
    const failing = (code: number): KmsClient => ({
      encrypt: async () => {
        throw Object.assign(new Error('failure'), { code });
      },
      decrypt: async () => {
        throw Object.assign(new Error('failure'), { code });
      },
    });
    assert.equal(await codeOf(new CloudKmsKeyProvider(failing(14), keyName).wrap(randomBytes(32), 'x')), 'KEY_SERVICE_UNAVAILABLE');
    assert.equal(await codeOf(new CloudKmsKeyProvider(failing(7), keyName).wrap(randomBytes(32), 'x')), 'NOT_AUTHORIZED');
  });
});
