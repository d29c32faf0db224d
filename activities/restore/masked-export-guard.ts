import type { Config } from '../../config/schema';
import { RestorepointError } from '../../core/errors';
import type { Manifest } from '../../core/manifest';
import { resolveSource } from '../deps';

/** host:port/database of a connection URL: two names for one database compare equal. */
function databaseOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${decodeURIComponent(u.pathname)}`;
}

/**
 * A masked export (manifest `masking`, docs/masking.md) holds no real rows: it is restored only
 * into a scratch target on the local stack (`local:<database>`) that is not a configured
 * source under another name, and never used by a rollback (`target` null). Refused with
 * MASKED_EXPORT_RESTRICTED before any connection to the target is opened.
 */
export function refuseMaskedExportTarget(config: Config, exportId: string, manifest: Manifest, target: string | null): void {
  if (!manifest.masking) return;
  const refuse = (why: string): never => {
    throw new RestorepointError('MASKED_EXPORT_RESTRICTED', `export "${exportId}" is masked (profile ${manifest.masking!.profile}): ${why}; nothing was changed`, { exportId, target });
  };
  if (target === null) refuse('a rollback never puts masked rows back into its source');
  if (!target!.startsWith('local:')) refuse(`it restores only into a scratch target (local:<database>), never into a configured source such as "${target}"`);
  const database = databaseOf(resolveSource(config, target!).url);
  const source = Object.entries(config.sources).find(([, s]) => databaseOf(s.url) === database);
  if (source) refuse(`${target} is the configured source "${source[0]}"`);
}
