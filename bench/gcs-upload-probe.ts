/**
 * `node --import tsx bench/gcs-upload-probe.ts [--mb 30] [--rounds 5] [--modes folder,gcs]`
 *
 * One process, no workflow, no database: the same CSV-like bytes go through a part's
 * compress → hash → upload pipeline (activities/export/part-writer.ts) into a local folder
 * and into the stack's GCS emulator, in alternating rounds. Prints per round the wall time,
 * this process's CPU, zstd's CPU and the emulator's CPU, so the cost the GCS path adds shows
 * apart from the noise of a full export (docs/performance.md, "GCS path").
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartUpload } from '../activities/export/part-writer';
import { readStackState } from '../stack/state';
import { GcsStore } from '../storage/gcs-store';
import { LocalStore } from '../storage/local-store';
import type { ObjectStore } from '../storage/object-store';

const CLOCK_TICKS_MS = 10; // USER_HZ is 100 on Linux

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1]!;
}

/** Rows shaped as bench/dataset.ts makes them (~150 bytes of CSV each), in 256 KiB chunks. */
function csvChunks(megabytes: number): Buffer[] {
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  let size = 0;
  let total = 0;
  for (let g = 1; total < megabytes * 1024 * 1024; g += 1) {
    const line = `${g},customer ${createHash('md5').update(String(g)).digest('hex').slice(0, 11)},${(g * 7919) % 100000},${((g * 104729) % 10000000) / 100},2024-01-01 00:00:${g % 60}+00,${g % 3 !== 0 ? 't' : 'f'},"{""tags"": [""t${g % 13}"", ""t${g % 7}""], ""tier"": ""pro"", ""score"": ${g % 997}}"\n`;
    lines.push(line);
    size += line.length;
    total += line.length;
    if (size >= 256 * 1024) {
      chunks.push(Buffer.from(lines.join('')));
      lines = [];
      size = 0;
    }
  }
  if (lines.length) chunks.push(Buffer.from(lines.join('')));
  return chunks;
}

/** user + system ticks of a process: its own (fields 14-15) and its reaped children's (16-17). */
function ticks(pid: number | 'self'): { own: number; children: number } {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { own: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
}

/** The part's stored bytes, and how long `finish()` took: zstd's last block, then the store's commit. */
async function uploadOnce(store: ObjectStore, key: string, chunks: readonly Buffer[]): Promise<{ bytes: number; finishMs: number }> {
  const part = new PartUpload(store, key, 'zstd', 3);
  for (const chunk of chunks) await part.write(chunk, 1);
  const ending = performance.now();
  const { bytes } = await part.finish();
  return { bytes, finishMs: performance.now() - ending };
}

async function main(): Promise<void> {
  const megabytes = Number(option('mb', '30'));
  const rounds = Number(option('rounds', '5'));
  const modes = option('modes', 'folder,gcs').split(',');
  const stack = readStackState();
  const emulatorPid = stack?.gcs.pid;
  if (!stack || !emulatorPid) throw new Error('no local stack with its own fake-gcs-server (RESTOREPOINT_HOME?)');
  const chunks = csvChunks(megabytes);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gcs-probe-'));
  const stores: Record<string, ObjectStore> = {
    folder: new LocalStore(folder),
    gcs: new GcsStore({ bucket: 'restorepoint-gcs-probe', prefix: `p${process.pid}` }, { emulatorHost: stack.gcs.url, projectId: 'probe' }),
  };
  // Warm-up (client library, bucket, zstd in the page cache), not reported.
  for (const mode of modes) await uploadOnce(stores[mode]!, 'warm', chunks.slice(0, 4));
  console.log(`${megabytes} MB of CSV in ${chunks.length} chunks; load ${os.loadavg()[0]!.toFixed(2)}`);
  console.log('round mode     wall-ms  finish-ms  self-cpu-ms  zstd-cpu-ms  emulator-cpu-ms  stored-bytes');
  for (let round = 0; round < rounds; round += 1) {
    for (const mode of round % 2 ? [...modes].reverse() : modes) {
      const self0 = process.cpuUsage();
      const kids0 = ticks('self').children;
      const emu0 = ticks(emulatorPid).own;
      const started = performance.now();
      const { bytes, finishMs } = await uploadOnce(stores[mode]!, `round-${round}`, chunks);
      const wall = performance.now() - started;
      const self = process.cpuUsage(self0);
      const kids = (ticks('self').children - kids0) * CLOCK_TICKS_MS;
      const emulator = (ticks(emulatorPid).own - emu0) * CLOCK_TICKS_MS;
      console.log(
        `${String(round).padStart(5)} ${mode.padEnd(8)} ${wall.toFixed(0).padStart(7)} ${finishMs.toFixed(0).padStart(10)} ${((self.user + self.system) / 1000).toFixed(0).padStart(12)} ${String(kids).padStart(12)} ${String(emulator).padStart(16)}  ${bytes}`,
      );
    }
  }
  for (const mode of modes) {
    for (let round = 0; round < rounds; round += 1) await stores[mode]!.delete(`round-${round}`);
    await stores[mode]!.delete('warm');
  }
  fs.rmSync(folder, { recursive: true, force: true });
}

void main();
