import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port; the chosen one is in the result and the log. */
  readonly port: number;
  readonly registry: Registry;
  /** Run before each scrape: sets the gauges read from the catalog and sources. */
  readonly beforeScrape?: () => Promise<void>;
  /** The Temporal Core runtime's own Prometheus endpoint (loopback only), appended to ours. */
  readonly temporalMetricsUrl?: string;
  readonly log: Logger;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on the worker: restorepoint's prom-client registry followed by the Temporal
 * runtime's metrics (`temporal_*`), fetched from Core's exporter on a loopback port, so one
 * scrape target has both. A gauge or the Temporal part that cannot be read is left out and
 * logged; the scrape still answers.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404).end('not found: GET /metrics\n');
      return;
    }
    void exposition(options).then(
      (body) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(body),
      (error: unknown) => {
        options.log.error({ err: error }, 'metrics scrape failed');
        response.writeHead(500).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function exposition(options: MetricsServerOptions): Promise<string> {
  await options.beforeScrape?.().catch((error: unknown) => options.log.warn({ err: error }, 'catalog metrics unavailable'));
  const own = await options.registry.metrics();
  if (!options.temporalMetricsUrl) return own;
  const temporal = await fetch(options.temporalMetricsUrl, { signal: AbortSignal.timeout(5000) })
    .then((r) => (r.ok ? r.text() : ''))
    .catch((error: unknown) => {
      options.log.warn({ err: error }, 'temporal runtime metrics unavailable');
      return '';
    });
  return `${own.trimEnd()}\n${temporal}`;
}
