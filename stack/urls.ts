/** The catalog's own database on the stack's server: never one of the databases it protects. */
export const CATALOG_DATABASE = 'restorepoint_catalog';

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function catalogUrlFor(adminUrl: string): string {
  return withDatabase(adminUrl, CATALOG_DATABASE);
}
