import { fileURLToPath } from 'node:url';
import { RestorepointError } from '../core/errors';
import { assertValidKey } from './argument-checks';
import type { GcsConnection } from './gcs-client';
import { GcsStore } from './gcs-store';
import { LocalStore } from './local-store';
import type { ObjectStore } from './object-store';

/** A parsed backup destination. */
export type Destination =
  | { readonly kind: 'gcs'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'local'; readonly directory: string };

// GCS bucket naming rules, minus the dotted (domain-named) form's longer limit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

/**
 * Parses `gs://bucket[/prefix]` or `file:///absolute/dir`; anything else fails with
 * `INPUT_INVALID` naming the accepted forms. Trailing slashes are ignored.
 */
export function parseDestination(destination: string): Destination {
  const trimmed = destination.trim();
  if (trimmed.startsWith('gs://')) return parseGcs(trimmed, destination);
  if (trimmed.startsWith('file:')) return parseLocal(trimmed, destination);
  throw invalid(destination, 'expected gs://bucket/prefix or file:///absolute/dir');
}

/** The store for a destination; `gcs` says how to reach GCS (emulator or real). */
export function openStore(destination: string, gcs: GcsConnection): ObjectStore {
  const parsed = parseDestination(destination);
  return parsed.kind === 'gcs' ? new GcsStore(parsed, gcs) : new LocalStore(parsed.directory);
}

function parseGcs(trimmed: string, original: string): Destination {
  const [bucket = '', ...rest] = trimmed.slice('gs://'.length).split('/');
  if (!BUCKET_NAME.test(bucket)) {
    throw invalid(original, `${JSON.stringify(bucket)} is not a GCS bucket name (3-63 of a-z 0-9 . _ -)`);
  }
  const prefix = rest.join('/').replace(/\/+$/, '');
  if (prefix) {
    try {
      assertValidKey(prefix);
    } catch (error) {
      throw invalid(original, `the prefix is invalid: ${(error as Error).message}`);
    }
  }
  return { kind: 'gcs', bucket, prefix };
}

function parseLocal(trimmed: string, original: string): Destination {
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid(original, 'not a valid file:// URL');
  }
  if (url.host !== '' && url.host !== 'localhost') {
    throw invalid(original, `file URLs need an absolute path after file:// (file:///dir), not the host ${JSON.stringify(url.host)}`);
  }
  if (url.search || url.hash) throw invalid(original, 'file URLs may not have a ?query or #fragment');
  const directory = fileURLToPath(url).replace(/(.)\/+$/, '$1');
  return { kind: 'local', directory };
}

function invalid(destination: string, why: string): RestorepointError {
  return new RestorepointError('INPUT_INVALID', `invalid destination ${JSON.stringify(destination)}: ${why}`, { destination });
}
