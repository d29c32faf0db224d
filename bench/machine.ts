import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { postgresClient } from '../stack/tools';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memTotalMb: number;
  readonly kernel: string;
  readonly node: string;
  readonly postgres: string;
  readonly zstd: string;
}

function firstLine(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

/** The machine the figures were taken on, from /proc and the tools' own version output. */
export function describeMachine(serverVersion: string): Machine {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = fs.readFileSync('/proc/meminfo', 'utf8');
  return {
    cpus: Number(firstLine('nproc', [])) || os.cpus().length,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memTotalMb: Math.round(Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) / 1024),
    kernel: os.release(),
    node: process.version,
    postgres: `${serverVersion} (client ${firstLine(postgresClient('psql'), ['--version'])})`,
    zstd: firstLine('zstd', ['--version']).replace(/^\W+|\W+$/g, ''),
  };
}
