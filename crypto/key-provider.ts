/**
 * Wraps and unwraps data keys with a key-encryption key that never leaves its provider
 * (a local keyring file, or Cloud KMS). Only wrapped keys and key ids are stored; a key
 * id names the key-encryption key (a keyring id, or a Cloud KMS CryptoKey resource name).
 */
export interface KeyProvider {
  /** `local` or `gcp-kms`, recorded with each wrapped key. */
  readonly kind: 'local' | 'gcp-kms';
  /** The key new data keys are wrapped under. */
  currentKeyId(): Promise<string>;
  /** `context` is authenticated with the wrapped key (the export id): a wrapped key moved to another export does not unwrap. */
  wrap(dataKey: Buffer, context: string): Promise<{ readonly keyId: string; readonly wrapped: Buffer }>;
  /** KEY_MISSING when the provider has no key `keyId`; DECRYPTION_FAILED when `wrapped` does not unwrap under it. */
  unwrap(keyId: string, wrapped: Buffer, context: string): Promise<Buffer>;
}
