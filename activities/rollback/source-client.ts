import pg from 'pg';
import { resolveSource, type ActivityDeps } from '../deps';

/** Runs `work` on one connection to a configured source, always closing it. */
export async function withSourceClient<T>(deps: ActivityDeps, source: string, purpose: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: resolveSource(deps.config, source).url, application_name: `restorepoint-rollback-${purpose}` });
  // A connection the server ends (admin shutdown, a killed backend) also emits 'error'; the
  // query in flight rejects with it, so the event must not become an uncaught exception.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
