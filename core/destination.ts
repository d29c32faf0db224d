/**
 * Backup destinations, read one way everywhere: the client (before any workflow, catalog row
 * or ledger entry exists), the workflow's input schema and the storage drivers all use this.
 * A destination is accepted only in its plain form — `gs://bucket[/prefix]` or
 * `file:///absolute/dir` (or `file://localhost/…`) — with no `.` or `..` segment (written
 * plainly or percent-encoded, as `%2e%2e`), no empty segment, no `?query`, no `#fragment`,
 * no control character or backslash: what is written is where the data goes.
 *
 * Pure module: imported by workflows, so no Node.js imports.
 */

export type Destination =
  | { readonly kind: 'gcs'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'local'; readonly directory: string };

export type DestinationReading = { readonly ok: true; readonly destination: Destination } | { readonly ok: false; readonly problem: string };

export const DESTINATION_FORMS = 'gs://bucket/prefix or file:///absolute/dir';

// GCS bucket naming rules, minus the dotted (domain-named) form's longer limit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/** Reads a destination, or says why it is not one (the text is the caller's to quote). */
export function readDestination(text: string): DestinationReading {
  const trimmed = text.trim();
  if (trimmed.includes('?') || trimmed.includes('#')) return refused('a destination may not have a ?query or #fragment');
  if (UNSAFE_CHARACTERS.test(trimmed)) return refused('it holds a control character or a backslash');
  if (trimmed.startsWith('gs://')) return readGcs(trimmed.slice('gs://'.length));
  if (trimmed.startsWith('file:')) return readLocal(trimmed.slice('file:'.length));
  return refused(`expected ${DESTINATION_FORMS}`);
}

function readGcs(rest: string): DestinationReading {
  const [bucket = '', ...segments] = rest.split('/');
  if (!BUCKET_NAME.test(bucket)) return refused(`${JSON.stringify(bucket)} is not a GCS bucket name (3-63 of a-z 0-9 . _ -)`);
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  const problem = segmentsProblem(segments);
  return problem ? refused(`the prefix is invalid: ${problem}`) : { ok: true, destination: { kind: 'gcs', bucket, prefix: segments.join('/') } };
}

function readLocal(rest: string): DestinationReading {
  const path = rest.startsWith('///') ? rest.slice(2) : rest.startsWith('//localhost/') ? rest.slice('//localhost'.length) : null;
  if (path === null) return refused('file URLs need an absolute path after file:// (file:///dir), with no host but localhost');
  const segments = path.slice(1).split('/');
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return refused('it has a malformed %-escape');
  }
  if (decoded.some((s) => s.includes('/') || UNSAFE_CHARACTERS.test(s))) return refused('a %-escape in it means "/", a backslash or a control character');
  const problem = segmentsProblem(segments);
  return problem ? refused(problem) : { ok: true, destination: { kind: 'local', directory: `/${decoded.join('/')}` } };
}

/** A `.`/`..` segment (also as %2e) or an empty one (`//`). */
function segmentsProblem(segments: readonly string[]): string | null {
  for (const segment of segments) {
    if (segment === '') return 'it has an empty segment (//)';
    if (/^(\.|%2e){1,2}$/i.test(segment)) return 'it has a . or .. segment (also refused %-encoded)';
  }
  return null;
}

const refused = (problem: string): DestinationReading => ({ ok: false, problem });
