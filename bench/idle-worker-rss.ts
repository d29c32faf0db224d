/**
 * `node --import tsx bench/idle-worker-rss.ts [--runs 3] [--settle-ms 5000]`
 *
 * The idle worker's memory: starts the real worker (worker/main.ts) on a task queue of its
 * own, waits until it has started and then `--settle-ms` more with no work, reads VmRSS and
 * VmHWM from /proc/<pid>/status, stops it with SIGTERM, and prints the median of the runs.
 * Needs the local stack (Temporal and the catalog database), as the worker does.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WORKER_NODE_FLAGS } from '../worker/node-flags';
import { median } from './measurement';

const ROOT = path.resolve(__dirname, '..');

interface IdleMemory {
  readonly rssKb: number;
  readonly hwmKb: number;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** One worker process from start to SIGTERM; its memory once idle. */
export async function measureIdleWorker(settleMs: number): Promise<IdleMemory> {
  const taskQueue = `bench-idle-rss-${process.pid}-${Date.now()}`;
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', path.join(ROOT, 'worker', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, RESTOREPOINT_TASK_QUEUE: taskQueue, RESTOREPOINT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('"worker started"')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the worker exited ${code} before it started: ${errors.slice(-2000)}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { rssKb: statusKb(child.pid!, 'VmRSS'), hwmKb: statusKb(child.pid!, 'VmHWM') };
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** Runs `runs` workers one after another; the medians of their idle RSS and peak (MB). */
export async function idleWorkerMemory(runs: number, settleMs: number): Promise<{ rssMb: number; hwmMb: number; samples: IdleMemory[] }> {
  const samples: IdleMemory[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await measureIdleWorker(settleMs));
  return { rssMb: median(samples.map((s) => s.rssKb)) / 1024, hwmMb: median(samples.map((s) => s.hwmKb)) / 1024, samples };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const option = (flag: string, fallback: number) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  idleWorkerMemory(option('--runs', 3), option('--settle-ms', 5000)).then(
    ({ rssMb, hwmMb, samples }) => {
      for (const s of samples) process.stdout.write(`run: VmRSS ${(s.rssKb / 1024).toFixed(1)} MB, VmHWM ${(s.hwmKb / 1024).toFixed(1)} MB\n`);
      process.stdout.write(`idle worker (median of ${samples.length}): VmRSS ${rssMb.toFixed(1)} MB, VmHWM ${hwmMb.toFixed(1)} MB\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
