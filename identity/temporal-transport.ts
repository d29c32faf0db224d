import fs from 'node:fs';
import type { Config } from '../config/schema';
import { RestorepointError } from '../core/errors';

/** How client and worker reach Temporal: its address, TLS (mTLS with a client pair) and an API key, from config. */
export interface TemporalTransport {
  readonly address: string;
  /** The shape of Temporal's TLSConfig (client and worker packages each export it under their own name). */
  readonly tls?: { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  readonly apiKey?: string;
}

function read(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new RestorepointError('CONFIG_INVALID', `cannot read the Temporal ${what} ${file}: ${(error as Error).message}`);
  }
}

/** The connection options for `Connection.connect` and `NativeConnection.connect` alike. Key material is read from files, never kept in config. */
export function temporalTransport(temporal: Config['temporal']): TemporalTransport {
  const tls = temporal.tls;
  return {
    address: temporal.address,
    ...(tls
      ? {
          tls: {
            ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
            ...(tls.caFile ? { serverRootCACertificate: read(tls.caFile, 'CA certificate') } : {}),
            ...(tls.certFile && tls.keyFile ? { clientCertPair: { crt: read(tls.certFile, 'client certificate'), key: read(tls.keyFile, 'client key') } } : {}),
          },
        }
      : {}),
    ...(temporal.apiKeyFile ? { apiKey: read(temporal.apiKeyFile, 'API key').toString('utf8').trim() } : {}),
  };
}
