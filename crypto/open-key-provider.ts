import path from 'node:path';
import type { Config } from '../config/schema';
import { stateHome } from '../stack/paths';
import { CloudKmsKeyProvider, type KmsClient } from './cloud-kms';
import type { KeyProvider } from './key-provider';
import { LocalKeyring } from './local-keyring';

/** The keyring `stack up` creates and the local provider uses unless `encryption.keyringFile` says otherwise. */
export const defaultKeyringFile = () => path.join(stateHome(), 'keys', 'keyring.json');

/** The configured key provider. Cloud KMS's client is loaded only when configured. */
export function openKeyProvider(config: Config): KeyProvider {
  const encryption = config.encryption;
  if (encryption.provider === 'gcp-kms') {
    // Loaded on demand: a worker on the local keyring never pays for the gRPC client.
    const { KeyManagementServiceClient } = require('@google-cloud/kms') as { KeyManagementServiceClient: new () => KmsClient };
    return new CloudKmsKeyProvider(new KeyManagementServiceClient(), encryption.kmsKeyName!);
  }
  return new LocalKeyring(encryption.keyringFile ?? defaultKeyringFile());
}
