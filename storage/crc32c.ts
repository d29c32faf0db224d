import { crc32c } from '@node-rs/crc32';

/**
 * Incremental CRC32C (Castagnoli), the checksum GCS keeps for every object, computed
 * natively. Formatted as GCS reports it: the big-endian 32-bit value in base64.
 */
export class Crc32c {
  #state = 0;

  update(data: Uint8Array): this {
    this.#state = crc32c(data, this.#state);
    return this;
  }

  base64(): string {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(this.#state >>> 0);
    return bytes.toString('base64');
  }
}
