import { SCALE_OUT_RANGES, SCALE_OUT_WORKERS, SPLIT_READERS, type Contender } from './contenders';
import type { Measurement } from './measurement';
import { INCREMENTAL_CHANGE_COUNTS } from './incremental';

export interface Ratio {
  readonly id: string;
  readonly label: string;
  /** null when a contender it needs was not run (or, for incremental, does not exist yet). */
  readonly value: number | null;
  readonly target: string;
  /** null for figures without a target, or when the value is missing. */
  readonly met: boolean | null;
}

type Medians = Readonly<Record<string, Measurement | undefined>>;

const MB = 1024 * 1024;

function ratio(id: string, label: string, value: number | undefined, target: string, meets?: (v: number) => boolean): Ratio {
  const known = value === undefined || !Number.isFinite(value) ? null : value;
  return { id, label, value: known, target, met: known === null || !meets ? null : meets(known) };
}

/** The ratios the issue sets targets for, plus a few that explain them. */
export function computeRatios(m: Medians, incrementalAvailable: boolean): Ratio[] {
  const wall = (id: string) => m[id]?.wallMs;
  const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
  const rssMb = (id: string) => (m[id] ? m[id]!.peakRssKb / 1024 : undefined);
  const addedRssMb = (id: string) => (m[id]?.startRssKb !== undefined ? (m[id]!.peakRssKb - m[id]!.startRssKb!) / 1024 : undefined);
  const ratios: Ratio[] = [
    ratio('export_vs_copy', 'export to folder, speed vs psql \\copy TO /dev/null', div(wall('copy_to_devnull'), wall('rp_export_folder')), '>= 0.9', (v) => v >= 0.9),
    ratio('export_gcs_vs_copy', 'export to GCS emulator, speed vs psql \\copy', div(wall('copy_to_devnull'), wall('rp_export_gcs')), '>= 0.9', (v) => v >= 0.9),
    ratio('export_vs_pg_dump', 'export to folder, speed vs pg_dump -Fc', div(wall('pg_dump_fc'), wall('rp_export_folder')), '>= 3', (v) => v >= 3),
    ratio('size_vs_pg_dump', 'export size / pg_dump -Fc size', div(m.rp_export_folder?.outputBytes, m.pg_dump_fc?.outputBytes), '<= 1', (v) => v <= 1),
    ratio('export_vs_pg_dump_z1', 'export to folder, speed vs pg_dump -Fc -Z1', div(wall('pg_dump_fc_z1'), wall('rp_export_folder')), '(info)'),
    ratio('size_vs_pg_dump_z1', 'export size / pg_dump -Fc -Z1 size', div(m.rp_export_folder?.outputBytes, m.pg_dump_fc_z1?.outputBytes), '(info)'),
    ratio('export_cpu_vs_copy', 'export client CPU / psql \\copy client CPU', div(m.rp_export_folder?.cpuMs, m.copy_to_devnull?.cpuMs), '(info)'),
    // The same table's bytes: a ratio of CPU seconds is the ratio of CPU per GB.
    ratio('export_cpu_vs_pg_dump_z1', 'export client CPU / pg_dump -Fc -Z1 client CPU (per GB)', div(m.rp_export_folder?.cpuMs, m.pg_dump_fc_z1?.cpuMs), '<= 1', (v) => v <= 1),
    ratio('restore_vs_copy_from', 'restore, speed vs psql \\copy FROM', div(wall('copy_from_csv'), wall('rp_restore')), '>= 1.0', (v) => v >= 1),
    ratio('restore_no_verify_first_vs_copy_from', 'restore without the verify-first pass, speed vs \\copy FROM', div(wall('copy_from_csv'), wall('rp_restore_no_verify_first')), '(info)'),
    ratio('restore_empty_db_vs_pg_restore', 'restore into an empty database, speed vs pg_restore', div(wall('pg_restore'), wall('rp_restore_empty_db')), '(info)'),
    ratio('parallel_speedup', '2 equal tables in parallel, throughput vs 1 table', div(2 * (wall('rp_export_folder') ?? NaN), wall('rp_export_two_tables')), '>= 1.6', (v) => v >= 1.6),
    ratio('worker_rss_added_mb', 'worker RSS added by one table stream, peak - idle (MB)', addedRssMb('rp_export_folder'), '< 128', (v) => v < 128),
    ratio('worker_rss_mb', 'peak worker RSS, whole process, full table (MB)', rssMb('rp_export_folder'), '(info)'),
    // Flat: what a stream adds must not grow with the table. The whole process's peak moves
    // with V8's heap from run to run, so it is shown but not judged.
    ratio(
      'worker_rss_growth_mb',
      'worker RSS added, full table minus table 1/5 the size (MB)',
      addedRssMb('rp_export_folder') === undefined || addedRssMb('rp_export_small') === undefined ? undefined : addedRssMb('rp_export_folder')! - addedRssMb('rp_export_small')!,
      '< 16 (flat)',
      (v) => v < 16,
    ),
    ratio('worker_rss_ratio', 'peak worker RSS, whole process, full table / table 1/5 the size', div(rssMb('rp_export_folder'), rssMb('rp_export_small')), '(info)'),
    ratio('one_row_latency_ms', 'one-row export, client start -> result (ms)', wall('rp_export_one_row'), '< 1000', (v) => v < 1000),
    ratio('encrypted_export_vs_plain', 'export to folder, encrypted / unencrypted time', div(wall('rp_export_folder'), wall('rp_export_folder_plain')), '<= 1.10', (v) => v <= 1.1),
    ratio('encrypted_restore_vs_plain', 'restore, encrypted / unencrypted export time', div(wall('rp_restore'), wall('rp_restore_plain')), '<= 1.10', (v) => v <= 1.1),
    ratio('pagila_vs_pg_dump', 'Pagila export, speed vs pg_dump -Fc', div(wall('pagila_pg_dump_fc'), wall('pagila_rp_export')), '(info)'),
    ratio('pagila_size_vs_pg_dump', 'Pagila export size / pg_dump -Fc size', div(m.pagila_rp_export?.outputBytes, m.pagila_pg_dump_fc?.outputBytes), '(info)'),
    ratio('pagila_restore_vs_pg_restore', 'Pagila restore into an empty db, speed vs pg_restore', div(wall('pagila_pg_restore'), wall('pagila_rp_restore')), '(info)'),
    ...SPLIT_READERS.filter((n) => n > 1).map((n) =>
      ratio(`split_${n}_vs_1`, `one table as ${n} ctid ranges (${n} readers), speed vs 1 reader`, div(wall('rp_export_split_1'), wall(`rp_export_split_${n}`)), '(info)'),
    ),
    ...SCALE_OUT_WORKERS.map((n) =>
      ratio(`ranges_${n}w_vs_1_reader`, `one table as ${SCALE_OUT_RANGES} range activities on ${n} worker${n > 1 ? 's' : ''}, speed vs 1 reader`, div(wall('rp_export_split_1'), wall(`rp_export_ranges_${n}w`)), '(info)'),
    ),
    // COPY's binary format against CSV (bench/copy-format.ts): > 1 means binary is faster or smaller.
    ratio('binary_export_speed_vs_csv', 'COPY TO binary -> zstd parts, speed vs csv', div(wall('copy_out_csv'), wall('copy_out_binary')), '(info)'),
    ratio('binary_export_size_vs_csv', 'COPY TO binary -> zstd parts, stored size / csv', div(m.copy_out_binary?.outputBytes, m.copy_out_csv?.outputBytes), '(info)'),
    ratio('binary_load_pk_speed_vs_csv', 'COPY FROM binary, table with primary key, speed vs csv', div(wall('copy_in_csv_pk'), wall('copy_in_binary_pk')), '(info)'),
    ratio('binary_load_heap_speed_vs_csv', 'COPY FROM binary, table without indexes, speed vs csv', div(wall('copy_in_csv_heap'), wall('copy_in_binary_heap')), '(info)'),
    ratio('ranges_3w_vs_1w', `${SCALE_OUT_RANGES} range activities on 3 workers, speed vs on 1 worker`, div(wall('rp_export_ranges_1w'), wall('rp_export_ranges_3w')), '(info)'),
  ];
  for (const count of INCREMENTAL_CHANGE_COUNTS) {
    const value = incrementalAvailable ? div(wall(`rp_incremental_${count}`), wall('rp_export_folder')) : undefined;
    ratios.push(ratio(`incremental_${count}_vs_full`, `incremental export after ${count.toLocaleString('en')} changes / full export time`, value, count === 1_000 ? '< 0.05' : '(info)', count === 1_000 ? (v) => v < 0.05 : undefined));
  }
  return ratios;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function fmt(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** The medians as a table: wall, throughput (of the table's CSV size), CPU, peak RSS, output. */
export function formatTable(list: readonly Contender[], m: Medians, csvBytes: number, rounds: number): string {
  const head = ['contender', 'wall s', 'Mrows/s', 'CSV MB/s', 'CPU s', 'CPU s/GB', 'peak RSS MB', '(added)', 'output MB', 'server CPU s'];
  const widths = [58, 8, 8, 9, 7, 9, 12, 8, 10, 13];
  const lines = [head.map((h, i) => pad(h, widths[i]!, i > 0)).join(' ')];
  for (const c of list) {
    const r = m[c.id];
    if (!r) continue;
    const sizeScale = c.group === 'parallel' ? 2 : c.group === 'memory' ? 0.2 : 1;
    const throughputKnown = c.group === 'export' || c.group === 'restore' || c.group === 'parallel' || c.group === 'memory' || c.group === 'split' || c.group === 'encryption' || c.group === 'binary';
    const cells = [
      c.label,
      fmt(r.wallMs / 1000),
      r.rows !== undefined && throughputKnown ? fmt(r.rows / (r.wallMs / 1000) / 1e6) : '-',
      throughputKnown ? fmt((csvBytes * sizeScale) / MB / (r.wallMs / 1000), 0) : '-',
      fmt(r.cpuMs / 1000),
      throughputKnown ? fmt(r.cpuMs / 1000 / ((csvBytes * sizeScale) / 1e9)) : '-',
      fmt(r.peakRssKb / 1024, 0),
      r.startRssKb !== undefined ? fmt((r.peakRssKb - r.startRssKb) / 1024, 0) : '',
      r.outputBytes !== undefined ? fmt(r.outputBytes / MB, 1) : '-',
      r.serverCpuMs !== undefined ? fmt(r.serverCpuMs / 1000) : '-',
    ];
    lines.push(cells.map((cell, i) => pad(cell, widths[i]!, i > 0)).join(' '));
  }
  lines.push(`(medians of ${rounds} rounds; CPU and RSS are the client process's: psql, pg_dump, pg_restore, or the worker with its zstd children; the server's own work is not counted but for the backend's CPU (server CPU s) of the binary group, which runs in the benchmark's process; (added) is the worker's peak above its RSS when the run began)`);
  return lines.join('\n');
}

export function formatRatios(ratios: readonly Ratio[]): string {
  const lines = ['key ratios:'];
  for (const r of ratios) {
    const shown = r.value === null ? 'pending' : r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2);
    const verdict = r.met === null ? '' : r.met ? 'met' : 'MISSED';
    lines.push(`  ${pad(r.label, 66)} ${pad(shown, 8, true)}  target ${pad(r.target, 14)} ${verdict}`);
  }
  return lines.join('\n');
}
