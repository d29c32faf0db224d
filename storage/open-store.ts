import { readDestination, type Destination } from '../core/destination';
import { RestorepointError } from '../core/errors';
import { assertValidKey } from './argument-checks';
import type { GcsConnection } from './gcs-client';
import { GcsStore } from './gcs-store';
import { LocalStore } from './local-store';
import type { ObjectStore } from './object-store';

export type { Destination } from '../core/destination';

/**
 * Parses `gs://bucket[/prefix]` or `file:///absolute/dir` (core/destination.ts: no `.`/`..`
 * segment, plain or %-encoded, no query or fragment); anything else fails with
 * `INPUT_INVALID` naming the accepted forms. Trailing slashes are ignored.
 */
export function parseDestination(destination: string): Destination {
  const reading = readDestination(destination);
  if (!reading.ok) throw invalid(destination, reading.problem);
  const parsed = reading.destination;
  if (parsed.kind === 'gcs' && parsed.prefix) {
    try {
      assertValidKey(parsed.prefix);
    } catch (error) {
      throw invalid(destination, `the prefix is invalid: ${(error as Error).message}`);
    }
  }
  return parsed;
}

/** The store for a destination; `gcs` says how to reach GCS (emulator or real). */
export function openStore(destination: string, gcs: GcsConnection): ObjectStore {
  const parsed = parseDestination(destination);
  return parsed.kind === 'gcs' ? new GcsStore(parsed, gcs) : new LocalStore(parsed.directory);
}

function invalid(destination: string, why: string): RestorepointError {
  return new RestorepointError('INPUT_INVALID', `invalid destination ${JSON.stringify(destination)}: ${why}`, { destination });
}
