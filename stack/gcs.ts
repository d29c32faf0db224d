import fs from 'node:fs';
import { stackPaths } from './paths';
import { portOrFree, startDetached, waitUntil } from './processes';
import { fakeGcsServer } from './tools';

export async function gcsReady(url: string): Promise<boolean> {
  const response = await fetch(`${url}/storage/v1/b`);
  // Drained, so the kept-alive socket is released: an unread body held `stack status` open after it printed.
  await response.arrayBuffer();
  return response.ok;
}

/**
 * fake-gcs-server over plain HTTP, keeping objects on disk under `root` (the state folder's
 * by default) and logging as `name`. Tests of an object-store outage start one of their own;
 * tests of network faults give the proxy's address as `externalUrl`, so the upload session
 * URLs it hands out lead through the proxy too.
 */
export async function startGcs(preferredPort?: number, { root = stackPaths.gcsRoot(), name = 'gcs', externalUrl = '' } = {}): Promise<{ pid: number; port: number; url: string }> {
  const port = await portOrFree(preferredPort);
  fs.mkdirSync(root, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  const pid = startDetached(name, fakeGcsServer(), [
    '-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'filesystem',
    '-filesystem-root', root, '-external-url', externalUrl || url, '-public-host', new URL(externalUrl || url).host, '-log-level', 'warn',
  ]);
  await waitUntil(name, () => gcsReady(url), 30_000, pid);
  return { pid, port, url };
}
