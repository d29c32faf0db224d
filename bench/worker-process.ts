import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema';
import { WORKER_NODE_FLAGS } from '../worker/node-flags';

const ROOT = path.resolve(__dirname, '..');
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** What one piece of work cost the worker process. */
export interface WorkerCost {
  readonly cpuMs: number;
  readonly peakRssKb: number;
  readonly startRssKb: number;
}

/**
 * The real worker (worker/main.ts) in a process of its own, so its CPU and peak RSS can
 * be read from /proc apart from the benchmark's: CPU as utime+stime plus the times of the
 * children it reaped (the zstd processes), peak RSS as VmHWM after resetting it through
 * clear_refs (and, should that be refused, the highest VmRSS seen while polling).
 */
export class WorkerProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly log: fs.WriteStream,
  ) {}

  static async start(config: Config, options: { configFile: string; logFile: string; cpuProfileDir?: string }): Promise<WorkerProcess> {
    fs.writeFileSync(options.configFile, JSON.stringify(config, null, 1));
    // RESTOREPOINT_BENCH_WORKER_FLAGS: extra Node/V8 flags to try (space-separated), for A/B runs of GC settings.
    const extraFlags = (process.env.RESTOREPOINT_BENCH_WORKER_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const nodeArgs = [...WORKER_NODE_FLAGS, ...extraFlags, '--import', 'tsx'];
    if (options.cpuProfileDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir);
    const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'worker', 'main.ts')], {
      cwd: ROOT,
      env: { ...process.env, RESTOREPOINT_CONFIG: options.configFile, RESTOREPOINT_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The log's folder may not exist yet (a checkout whose stack state lives elsewhere, RESTOREPOINT_HOME).
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = fs.createWriteStream(options.logFile, { flags: 'a' });
    child.stderr!.pipe(log);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        log.write(chunk);
        seen += chunk.toString();
        if (seen.includes('"worker started"')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the worker exited ${code} before it started; see ${options.logFile}`)));
    });
    return new WorkerProcess(child, log);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Runs `work` and returns its result with what the worker spent meanwhile. */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; cost: WorkerCost }> {
    const cpuBefore = this.cpuTicks();
    const resetWorked = this.resetPeak();
    const startRssKb = this.status('VmRSS');
    let polledPeak = startRssKb;
    const poll = setInterval(() => (polledPeak = Math.max(polledPeak, this.status('VmRSS'))), 25);
    try {
      const result = await work();
      const peakRssKb = resetWorked ? Math.max(this.status('VmHWM'), polledPeak) : polledPeak;
      return { result, cost: { cpuMs: ((this.cpuTicks() - cpuBefore) * 1000) / CLOCK_TICKS, peakRssKb, startRssKb } };
    } finally {
      clearInterval(poll);
    }
  }

  /** Asks the worker to shut down (a CPU profile is written on a clean exit) and waits. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    this.log.end();
  }

  private cpuTicks(): number {
    const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14-17 of proc(5): utime, stime, cutime, cstime; index 0 here is field 3.
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  }

  private resetPeak(): boolean {
    try {
      fs.writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }

  private status(field: 'VmRSS' | 'VmHWM'): number {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  }
}
