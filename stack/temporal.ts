import { stackPaths } from './paths';
import { freePort, portOrFree, startDetached, tcpOpen, waitUntil } from './processes';
import { temporalCli } from './tools';

/** The Temporal CLI's dev server, with its UI, persisting to a SQLite file in the state folder. */
export async function startTemporal(preferred: { port?: number; uiPort?: number } = {}): Promise<{ pid: number; port: number; address: string; uiUrl: string }> {
  const [port, uiPort, httpPort, metricsPort] = [await portOrFree(preferred.port), await portOrFree(preferred.uiPort), await freePort(), await freePort()];
  const pid = startDetached('temporal', temporalCli(), [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort),
    '--http-port', String(httpPort), '--metrics-port', String(metricsPort),
    '--db-filename', stackPaths.temporalDb(), '--log-level', 'warn', '--namespace', 'default',
  ]);
  await waitUntil('temporal', async () => (await tcpOpen(port)) && (await tcpOpen(uiPort)), 60_000, pid);
  return { pid, port, address: `127.0.0.1:${port}`, uiUrl: `http://127.0.0.1:${uiPort}` };
}
