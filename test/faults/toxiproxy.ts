import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot, stackPaths } from '../../stack/paths';
import { freePort, startDetached, stopGroup, tcpOpen, waitUntil } from '../../stack/processes';

/** toxiproxy-server from the tools folder (scripts/toxiproxy.sh builds it with Go) or PATH; undefined when absent. */
export function toxiproxyServer(): string | undefined {
  const candidates = [process.env.TOXIPROXY_SERVER_PATH, path.join(stackPaths.toolsBin(), 'toxiproxy-server'), ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => dir && path.join(dir, 'toxiproxy-server'))];
  return candidates.find((candidate): candidate is string => Boolean(candidate) && fs.existsSync(candidate!));
}

/**
 * Why the network-fault tests skip, or false when they can run. When toxiproxy-server is
 * missing but Go is present, it is built first (scripts/toxiproxy.sh), so they skip only without Go.
 */
export function toxiproxyMissing(): string | false {
  if (toxiproxyServer()) return false;
  const goPresent = (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, 'go')));
  if (!goPresent) return 'toxiproxy-server is not installed and there is no Go to build it with (scripts/toxiproxy.sh builds it when Go is present)';
  execFileSync('bash', [path.join(projectRoot, 'scripts', 'toxiproxy.sh'), path.dirname(stackPaths.toolsBin())], { stdio: 'inherit' });
  return toxiproxyServer() ? false : 'scripts/toxiproxy.sh did not install toxiproxy-server';
}

/** One toxic (https://github.com/Shopify/toxiproxy#toxics): what it does, in which direction. */
export type Toxic =
  | { readonly type: 'latency'; readonly attributes: { readonly latency: number; readonly jitter?: number } }
  | { readonly type: 'bandwidth'; readonly attributes: { readonly rate: number } }
  | { readonly type: 'reset_peer'; readonly attributes: { readonly timeout: number } }
  | { readonly type: 'timeout'; readonly attributes: { readonly timeout: number } }
  | { readonly type: 'limit_data'; readonly attributes: { readonly bytes: number } };

/** A proxied TCP path: clients connect to `port`, toxiproxy forwards to the upstream. */
export interface ProxiedPath {
  readonly name: string;
  readonly port: number;
  /** Adds a toxic on the given direction (downstream = towards the client); returns its name. */
  add(toxic: Toxic, stream?: 'upstream' | 'downstream'): Promise<string>;
  remove(toxicName: string): Promise<void>;
  /** Removes every toxic of this path. */
  heal(): Promise<void>;
}

/**
 * A toxiproxy-server of one test file's own, on a free port, stopped by `stop()`: the
 * real proxy injects latency, bandwidth limits, resets and stalls into real TCP connections.
 */
export class Toxiproxy {
  private constructor(private readonly pid: number, private readonly api: string) {}

  static async start(): Promise<Toxiproxy> {
    const binary = toxiproxyServer();
    if (!binary) throw new Error(String(toxiproxyMissing()));
    const port = await freePort();
    const name = `faults-toxiproxy-${process.pid}`;
    const pid = startDetached(name, binary, ['-host', '127.0.0.1', '-port', String(port)]);
    await waitUntil(name, () => tcpOpen(port), 30_000, pid);
    return new Toxiproxy(pid, `http://127.0.0.1:${port}`);
  }

  /** A proxy to 127.0.0.1:`upstreamPort`, listening on `port` (a free one when not given). */
  async proxy(name: string, upstreamPort: number, port?: number): Promise<ProxiedPath> {
    const listen = port ?? (await freePort());
    await this.call('POST', '/proxies', { name, listen: `127.0.0.1:${listen}`, upstream: `127.0.0.1:${upstreamPort}`, enabled: true });
    let counter = 0;
    return {
      name,
      port: listen,
      add: async (toxic, stream = 'downstream') => {
        const toxicName = `${toxic.type}-${stream}-${++counter}`;
        await this.call('POST', `/proxies/${name}/toxics`, { name: toxicName, type: toxic.type, stream, toxicity: 1, attributes: toxic.attributes });
        return toxicName;
      },
      remove: async (toxicName) => {
        await this.call('DELETE', `/proxies/${name}/toxics/${toxicName}`);
      },
      heal: async () => {
        const toxics = (await (await this.call('GET', `/proxies/${name}/toxics`)).json()) as { name: string }[];
        for (const toxic of toxics) await this.call('DELETE', `/proxies/${name}/toxics/${toxic.name}`);
      },
    };
  }

  async stop(): Promise<void> {
    await stopGroup(this.pid);
  }

  private async call(method: string, route: string, body?: unknown): Promise<Response> {
    const response = await fetch(`${this.api}${route}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    if (!response.ok) throw new Error(`toxiproxy ${method} ${route}: ${response.status} ${await response.text()}`);
    return response;
  }
}
