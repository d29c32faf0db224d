import { RestorepointError } from '../core/errors';
import type { KeyProvider } from './key-provider';

/** The subset of @google-cloud/kms's KeyManagementServiceClient this provider uses. */
export interface KmsClient {
  encrypt(request: { name: string; plaintext: Buffer; additionalAuthenticatedData: Buffer }): Promise<readonly [{ ciphertext?: Uint8Array | string | null; name?: string | null }, ...unknown[]]>;
  decrypt(request: { name: string; ciphertext: Buffer; additionalAuthenticatedData: Buffer }): Promise<readonly [{ plaintext?: Uint8Array | string | null }, ...unknown[]]>;
}

/**
 * Envelope encryption with Cloud KMS: data keys are wrapped by the CryptoKey `keyName`
 * (`projects/…/locations/…/keyRings/…/cryptoKeys/…`), whose primary version KMS picks; a
 * rotated CryptoKey still unwraps keys wrapped under its older versions. The worker's service
 * account needs roles/cloudkms.cryptoKeyEncrypterDecrypter on that key (docs/security.md).
 */
export class CloudKmsKeyProvider implements KeyProvider {
  readonly kind = 'gcp-kms' as const;

  constructor(
    private readonly client: KmsClient,
    private readonly keyName: string,
  ) {}

  async currentKeyId(): Promise<string> {
    return this.keyName;
  }

  async wrap(dataKey: Buffer, context: string): Promise<{ keyId: string; wrapped: Buffer }> {
    const [response] = await this.call(() => this.client.encrypt({ name: this.keyName, plaintext: dataKey, additionalAuthenticatedData: Buffer.from(context) }));
    if (!response.ciphertext) throw new RestorepointError('KEY_SERVICE_UNAVAILABLE', `Cloud KMS returned no ciphertext for ${this.keyName}`);
    return { keyId: this.keyName, wrapped: Buffer.from(response.ciphertext as Uint8Array) };
  }

  async unwrap(keyId: string, wrapped: Buffer, context: string): Promise<Buffer> {
    const [response] = await this.call(() => this.client.decrypt({ name: keyId, ciphertext: wrapped, additionalAuthenticatedData: Buffer.from(context) }), keyId);
    if (!response.plaintext) throw new RestorepointError('DECRYPTION_FAILED', `Cloud KMS returned no data key for ${context}`, { keyId });
    return Buffer.from(response.plaintext as Uint8Array);
  }

  /** gRPC status codes: 5 NOT_FOUND / 9 FAILED_PRECONDITION (version destroyed) → KEY_MISSING, 3 INVALID_ARGUMENT → DECRYPTION_FAILED, 7 → NOT_AUTHORIZED. */
  private async call<T>(request: () => Promise<T>, keyId = this.keyName): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = `Cloud KMS key ${keyId}: ${(error as Error).message}`;
      if (code === 5 || code === 9) throw new RestorepointError('KEY_MISSING', message, { keyId });
      if (code === 3) throw new RestorepointError('DECRYPTION_FAILED', message, { keyId });
      if (code === 7 || code === 16) throw new RestorepointError('NOT_AUTHORIZED', message, { keyId });
      throw new RestorepointError('KEY_SERVICE_UNAVAILABLE', message, { keyId });
    }
  }
}
