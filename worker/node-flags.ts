/**
 * Node flags the worker process runs with. `npm run worker`, the Dockerfile's CMD and
 * scripts/demo.sh spell them out too (they cannot import this); keep them in step. The bench's
 * and the tests' worker processes start with them, so what they measure and prove is the worker
 * as deployed.
 *
 * `--max-semi-space-size=4`: a young generation of 4 MiB semi-spaces. An export allocates
 * little JavaScript but ~60 MB of short-lived buffers per 200k rows (socket reads, COPY
 * chunks, zstd's output). With V8's larger default young generation few scavenges run
 * during an export, so the buffers pile up as external memory and every 64 MB of it starts
 * a full mark-compact of the whole heap; with 4 MiB they are freed by scavenges. Measured
 * (docs/performance.md, "Issue 16: garbage collection of the export's buffers"): the worker's
 * peak RSS during an export fell ~25% (about 300 MB against 370-410), its CPU was unchanged
 * within the noise; in one process with a 60-220 MB heap the export's CPU fell 37-45%.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
