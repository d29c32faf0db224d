import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Measurement } from './measurement';

const TIME = '/usr/bin/time';

/**
 * Runs a command under GNU time, which reads the child's rusage at wait(): user and sys
 * CPU (its waited-for children included) and peak RSS, things Node cannot see of a child.
 * Wall time is measured here, around the whole run.
 */
export async function timedCommand(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<Measurement> {
  if (!fs.existsSync(TIME)) throw new Error(`${TIME} is missing: install the Debian package "time"`);
  const report = path.join(os.tmpdir(), `restorepoint-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = spawn(TIME, ['-o', report, '-f', '%U %S %M', command, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: options.env ?? process.env });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`${path.basename(command)} ${args.join(' ')} exited ${code}: ${err.trim()}`))));
  });
  const wallMs = performance.now() - started;
  const [user, sys, rss] = fs.readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  fs.rmSync(report, { force: true });
  if (stderr.trim()) process.stderr.write(stderr);
  return { wallMs, cpuMs: (user! + sys!) * 1000, peakRssKb: rss! };
}
