import pg from 'pg';

/**
 * Opens one connection. A connection the server ends (pg_terminate_backend, an admin shutdown,
 * a network fault) makes pg.Client emit 'error' even while a query is in flight; without a
 * listener that event is an uncaught exception and takes the whole worker process down. The
 * query in flight rejects with the same error and later ones with "not queryable", so the
 * activity fails (and is retried) through its own promise: the listener only has to exist.
 */
export async function openConnection(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Runs `work` on a connection of its own, always closing it. */
export async function withConnection<T>(url: string, applicationName: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await openConnection(url, applicationName);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
