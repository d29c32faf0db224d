import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { migrateCatalog, openCatalog } from '../catalog/catalog-db';
import { connectClient } from '../client/connect';
import type { Config } from '../config/schema';
import { createConsoleApp } from './app';
import type { ConsoleDeps } from './context';
import { openKeyProvider } from '../crypto/open-key-provider';
import { RedirectSignIn } from './oidc';
import { CatalogSessionStore } from './session-store';

export interface ConsoleOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly log: ConsoleDeps['log'];
  readonly secureCookies?: boolean;
}

export interface RunningConsole {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the console on 127.0.0.1 only: reaching it from elsewhere takes a proxy that the
 * operator puts in front of it on purpose (with TLS, and `secureCookies`).
 */
export async function startConsole(config: Config, options: ConsoleOptions): Promise<RunningConsole> {
  const catalog = openCatalog(config.catalog.url);
  await migrateCatalog(catalog);
  // No token of its own: every call presents the signed-in user's (console/context.ts, asUser).
  const client = await connectClient(config, { tokens: async () => undefined });
  // Sessions live in the catalog, sealed under a key the key provider wraps: a restart keeps people signed in.
  const sessions = await CatalogSessionStore.open(catalog, openKeyProvider(config));
  const redirectSignIn = config.console.oidc ? new RedirectSignIn(config, config.console.oidc) : undefined;
  const app = createConsoleApp({ config, client, catalog, log: options.log, sessions, redirectSignIn, secureCookies: options.secureCookies });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: options.port }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open event streams and kept-alive connections would hold the close for as long as they last.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      await client.close();
      await catalog.destroy();
    },
  };
}
