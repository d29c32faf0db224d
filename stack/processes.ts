import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { RestorepointError } from '../core/errors';
import { stackPaths } from './paths';

/** A port nobody listens on right now, picked by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `preferred` when nobody listens there, else a free one. A service restarted by `stack up`
 * keeps its port, so workers and clients that read the old address reach it again.
 */
export async function portOrFree(preferred: number | undefined): Promise<number> {
  if (preferred && (await portIsFree(preferred))) return preferred;
  return freePort();
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a long-lived server in its own process group, logging to `.restorepoint/logs/<name>.log`. */
export function startDetached(name: string, command: string, args: readonly string[]): number {
  fs.mkdirSync(stackPaths.logs(), { recursive: true });
  const log = fs.openSync(path.join(stackPaths.logs(), `${name}.log`), 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  if (!child.pid) throw new RestorepointError('STACK_FAILED', `${name}: could not start ${command}`);
  child.unref();
  return child.pid;
}

/** Stops a process group: SIGTERM, then SIGKILL after the grace period. */
export async function stopGroup(pid: number | undefined, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid!, sig);
    } catch {
      try {
        process.kill(pid!, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal('SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns true; names the service and its log when it never does. */
export async function waitUntil(name: string, probe: () => Promise<boolean>, timeoutMs: number, pid?: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    if (pid !== undefined && !isAlive(pid)) break;
    await sleep(150);
  }
  const log = path.join(stackPaths.logs(), `${name}.log`);
  const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
  throw new RestorepointError(
    'STACK_FAILED',
    `${name} did not become ready within ${timeoutMs / 1000}s. Last lines of ${log}:\n${tail}\n` +
      `Fix: run \`npm run setup\`, check the log, then \`restorepoint stack down && restorepoint stack up\`.`,
    { service: name, log },
  );
}

export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
