import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { RestorepointError } from '../core/errors';
import type { KeyProvider } from './key-provider';
import { writeFileOnce } from './write-once-file';

const keyringSchema = z.object({
  current: z.string(),
  keys: z.array(z.object({ id: z.string().regex(/^local-[0-9a-f]{16}$/), key: z.string(), createdAt: z.string(), rotationId: z.string().optional() })),
});
type Keyring = z.infer<typeof keyringSchema>;

/**
 * Key-encryption keys in one JSON file (mode 0600) under the stack's state folder, for the
 * embedded stack and tests: created by `stack up` or on first use, never overwritten, a new
 * key added by `keys rotate` (older keys stay, so older exports stay readable).
 */
export class LocalKeyring implements KeyProvider {
  readonly kind = 'local' as const;

  constructor(readonly file: string) {}

  async currentKeyId(): Promise<string> {
    return this.read().current;
  }

  async wrap(dataKey: Buffer, context: string): Promise<{ keyId: string; wrapped: Buffer }> {
    const ring = this.read();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keyOf(ring, ring.current), iv);
    cipher.setAAD(Buffer.from(`${ring.current}\0${context}`));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { keyId: ring.current, wrapped: Buffer.concat([iv, cipher.getAuthTag(), body]) };
  }

  async unwrap(keyId: string, wrapped: Buffer, context: string): Promise<Buffer> {
    const key = keyOf(this.read(), keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, wrapped.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${keyId}\0${context}`));
    decipher.setAuthTag(wrapped.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
    } catch {
      throw new RestorepointError('DECRYPTION_FAILED', `the data key of ${context} does not unwrap under key ${keyId}`, { keyId });
    }
  }

  /**
   * Adds a new key and makes it current; returns its id. With a `rotationId`, a second call for
   * the same rotation (a retried activity) returns the key the first one made instead of adding
   * another. Callers in several processes serialize this read-modify-write themselves (the worker
   * holds a catalog lock), or a key could be lost.
   */
  rotate(rotationId?: string): string {
    const ring = this.read();
    const made = rotationId === undefined ? undefined : ring.keys.find((k) => k.rotationId === rotationId);
    if (made) return made.id;
    const id = newKeyId();
    const key = { id, key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString(), ...(rotationId === undefined ? {} : { rotationId }) };
    write(this.file, { current: id, keys: [...ring.keys, key] });
    return id;
  }

  /** Creates the keyring with one key unless it exists (`stack up`, and first use). */
  ensure(): void {
    if (fs.existsSync(this.file)) return;
    const id = newKeyId();
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // Two processes creating it at once keep the first one's keys, and neither reads it half-written.
    writeFileOnce(this.file, JSON.stringify({ current: id, keys: [{ id, key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() }] }, null, 1));
  }

  private read(): Keyring {
    this.ensure();
    return keyringSchema.parse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
  }
}

function keyOf(ring: Keyring, keyId: string): Buffer {
  const entry = ring.keys.find((k) => k.id === keyId);
  if (!entry) throw new RestorepointError('KEY_MISSING', `the local keyring has no key ${keyId}`, { keyId });
  return Buffer.from(entry.key, 'base64');
}

const newKeyId = () => `local-${randomBytes(8).toString('hex')}`;

function write(file: string, ring: Keyring): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(ring, null, 1), { mode: 0o600 });
  fs.renameSync(temporary, file);
}
