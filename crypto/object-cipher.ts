import type { Duplex } from 'node:stream';
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { DecryptStream, EncryptStream, openBytes, sealBytes } from './chunked-aead';

/**
 * One export's data key, applied to its objects: every stored object of the export is
 * encrypted under it, each bound to the export id and its own key. Lives only in worker
 * memory; never logged, never in workflow history or the ledger.
 */
export class ObjectCipher {
  private readonly macKey: Buffer;
  /** The data key imported once: each 64 KiB chunk gets a cipher of its own (crypto/chunked-aead.ts). */
  private readonly dataKey: KeyObject;

  constructor(
    readonly exportId: string,
    dataKey: Buffer,
  ) {
    this.dataKey = createSecretKey(dataKey);
    this.macKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'restorepoint manifest mac', 32));
  }

  encryptor(key: string): Duplex {
    return new EncryptStream(this.dataKey, { exportId: this.exportId, key });
  }

  decryptor(key: string): Duplex {
    return new DecryptStream(this.dataKey, { exportId: this.exportId, key });
  }

  seal(key: string, plain: Buffer): Buffer {
    return sealBytes(this.dataKey, { exportId: this.exportId, key }, plain);
  }

  open(key: string, stored: Buffer): Buffer {
    return openBytes(this.dataKey, { exportId: this.exportId, key }, stored);
  }

  /** The manifest's MAC under (a key derived from) the data key: hex. */
  manifestMac(manifestBytes: Buffer): string {
    return createHmac('sha256', this.macKey).update(manifestBytes).digest('hex');
  }

  manifestMacMatches(manifestBytes: Buffer, mac: string): boolean {
    const expected = Buffer.from(this.manifestMac(manifestBytes), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
