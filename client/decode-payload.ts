import type { Payload } from '@temporalio/common';
import type { RestorepointClient } from './connect';

/**
 * A payload read straight from the service (a history event, a pending activity's heartbeat)
 * is still as the codecs left it (encrypted: identity/payload-codec.ts); the SDK decodes only
 * what its own calls return. Codecs undo in reverse order of encoding, then the converter reads it.
 */
export async function decodePayload<T>(client: RestorepointClient, payload: Payload): Promise<T> {
  const { payloadCodecs, payloadConverter } = client.temporal.options.loadedDataConverter;
  let decoded: Payload[] = [payload];
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return payloadConverter.fromPayload<T>(decoded[0]!);
}
