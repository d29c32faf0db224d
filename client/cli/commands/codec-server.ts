import { serve } from '@hono/node-server';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../../config/load';
import { codecApp } from '../../../identity/codec-server';
import { payloadCodecs } from '../../../identity/payload-codec';
import { action, UsageError } from '../output';

function port(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new InvalidArgumentError(`"${text}" is not a port`);
  return value;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description("serve Temporal's remote codec protocol (POST /encode, /decode) so the Temporal UI shows payloads to authorized people (docs/security.md)")
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', port, 8888)
    .option('--cors-origin <origin>', "a browser origin allowed to call, the Temporal UI's (repeatable)", collect, [] as string[])
    .action(
      action(async (o: { host: string; port: number; corsOrigin: string[] }) => {
        const config = loadConfig();
        const codecs = payloadCodecs(config.identity?.payloadKeyFile);
        if (codecs.length === 0) throw new UsageError('no payload key is configured (identity.payloadKeyFile): there is nothing to decode');
        const app = codecApp({ codecs, identity: config.identity, corsOrigins: o.corsOrigin });
        await new Promise<void>((resolve) => {
          const server = serve({ fetch: app.fetch, hostname: o.host, port: o.port }, (info) => {
            process.stdout.write(`codec server listening on http://${o.host}:${info.port}\n`);
          });
          const stop = () => server.close(() => resolve());
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }),
    );
}
