import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../../config/load';
import { startConsole } from '../../../console/server';
import { createLogger } from '../../../observability/log';
import { action } from '../output';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port`);
  return n;
};

export function registerConsoleCommand(program: Command): void {
  program
    .command('console')
    .description('serve the operator console (recovery wizard, approvals, dashboards) on 127.0.0.1 until stopped')
    .option('--port <port>', 'port to listen on (0: a free one)', port, 8088)
    .option('--secure-cookies', 'mark the session cookie Secure (when served through an HTTPS proxy)')
    .action(
      action(async (o: { port: number; secureCookies?: boolean }) => {
        const config = loadConfig();
        const log = createLogger({ level: 'info', name: 'restorepoint-console', fd: 2 });
        const running = await startConsole(config, { port: o.port, secureCookies: o.secureCookies, log: (record) => log.info(record, 'request') });
        process.stdout.write(`restorepoint console on ${running.url} (Ctrl-C stops it)\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await running.close();
      }),
    );
}
