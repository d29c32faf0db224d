import type { DataConverter } from '@temporalio/common';
import { payloadCodecs } from './payload-codec';

/** The module Temporal loads as the failure converter when payloads are encrypted. */
export const ENCRYPTED_FAILURES_PATH = require.resolve('./failure-converter');

/**
 * What clients and workers encode Temporal payloads with: the payload codec for the configured
 * key and, with it, failures whose messages travel in (encrypted) payloads. Without a key there
 * is nothing to encrypt them with, so failures stay readable in the UI as Temporal writes them.
 */
export function dataConverterFor(payloadKeyFile: string | undefined): DataConverter {
  const codecs = payloadCodecs(payloadKeyFile);
  return codecs.length > 0 ? { payloadCodecs: codecs, failureConverterPath: ENCRYPTED_FAILURES_PATH } : { payloadCodecs: codecs };
}
