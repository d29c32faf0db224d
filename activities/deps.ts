import type { Knex } from 'knex';
import type { Config, SourceConfig } from '../config/schema';
import { RestorepointError } from '../core/errors';
import { readStackState } from '../stack/state';
import { withDatabase } from '../stack/urls';
import type { ObjectStore } from '../storage/object-store';
import type { KeyProvider } from '../crypto/key-provider';
import { openKeyProvider } from '../crypto/open-key-provider';

/** What activities need from the outside world; tests pass real or fake ones. */
export interface ActivityDeps {
  readonly config: Config;
  readonly catalog: Knex;
  openStore(destination: string): ObjectStore;
  readonly clock: () => Date;
  /** Wraps exports' data keys; unset: the one `config.encryption` names (`keyProviderOf`). */
  readonly keys?: KeyProvider;
}

export function keyProviderOf(deps: ActivityDeps): KeyProvider {
  return deps.keys ?? openKeyProvider(deps.config);
}

/**
 * A named connection's settings; the name is all that travels through workflows. On a
 * machine running the local stack, `local:<database>` names any database of its server.
 */
export function resolveSource(config: Config, name: string): SourceConfig {
  const source = config.sources[name];
  if (source) return source;
  const local = /^local:([a-z_][a-z0-9_]*)$/.exec(name);
  const stack = local ? readStackState() : undefined;
  if (local && stack) return { url: withDatabase(stack.postgres.adminUrl, local[1]!), maxConnections: 4 };
  const known = Object.keys(config.sources).join(', ') || '(none)';
  throw new RestorepointError('SOURCE_UNKNOWN', `no source named "${name}"; configured: ${known}`, { source: name });
}
