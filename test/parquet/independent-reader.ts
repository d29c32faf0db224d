import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** pyarrow (Apache Arrow's C++ Parquet reader) from PyPI, kept in the project's git-ignored tools folder. */
const PYARROW = 'pyarrow==26.0.1';
const target = path.resolve(__dirname, '../../.restorepoint/tools/py-parquet');

export interface ParquetFileContents {
  readonly path: string;
  readonly rows: number;
  readonly rowGroups: number;
  /** Arrow type of each column, e.g. `decimal128(12, 2)`, `timestamp[us, tz=UTC]`. */
  readonly schema: Record<string, string>;
  /** Values in plain form: dates as days, timestamps as microseconds since 1970, decimals as text, bytes as hex. */
  readonly columns: Record<string, unknown[]>;
}

function ensurePyarrow(): void {
  if (fs.existsSync(path.join(target, 'pyarrow', 'parquet'))) return;
  execFileSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, PYARROW], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Reads Parquet files with a reader independent of the writer (DuckDB). */
export function readWithPyarrow(files: readonly string[]): ParquetFileContents[] {
  ensurePyarrow();
  const output = execFileSync('python3', [path.join(__dirname, 'read_parquet.py'), ...files], {
    env: { ...process.env, PYTHONPATH: target },
    maxBuffer: 1 << 30,
  });
  return JSON.parse(output.toString('utf8')) as ParquetFileContents[];
}
