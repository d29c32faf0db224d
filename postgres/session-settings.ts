import type { Queryable } from './queryable';

/**
 * Settings every export reader runs COPY under, whatever the server's or role's defaults:
 * values then print the same way on every server, so exports are deterministic and a
 * verifier that copies a restored table out again under these same settings gets the very
 * rows whose fingerprint the manifest holds. Each keeps values exact (timestamptz carries
 * its offset; floats print shortest-exact).
 */
export const EXPORT_SESSION_SETTINGS: Readonly<Record<string, string>> = {
  timezone: 'UTC',
  datestyle: 'ISO, YMD',
  intervalstyle: 'postgres',
  extra_float_digits: '1',
  bytea_output: 'hex',
};

export async function applyExportSessionSettings(client: Queryable): Promise<void> {
  for (const [name, value] of Object.entries(EXPORT_SESSION_SETTINGS)) await client.query('select set_config($1, $2, false)', [name, value]);
}
