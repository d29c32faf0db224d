import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseSize } from '../../client/cli/parse-size';
import { scheduledVerificationInputSchema, verifyExportInputSchema } from '../../core/verification/verification-input';
import { ByteRateLimit, throttled } from '../../streams/byte-rate-limit';

/** A clock that only moves when the limit sleeps, so waits are exact and the test takes no time. */
function fakeClock() {
  let now = 10_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('a byte rate limit spreads reads over time, and the throttle passes bytes on unchanged', () => {
  it('lets one second of budget through at once, then makes each reader wait its share', async () => {
    const clock = fakeClock();
    const limit = new ByteRateLimit(1000, clock.now, clock.sleep);
    await limit.take(1000);
    assert.deepEqual(clock.slept, [], 'the first second of budget is a burst');
    await limit.take(500);
    await limit.take(500);
    assert.deepEqual(clock.slept, [500, 500]);
  });

  it('shares one budget between parallel readers', async () => {
    // All three ask at the same instant: the clock stands still while they wait.
    const slept: number[] = [];
    const limit = new ByteRateLimit(1000, () => 10_000, async (ms) => void slept.push(ms));
    await Promise.all([limit.take(1000), limit.take(1000), limit.take(1000)]);
    // Three seconds' worth in all: the first is the burst, the others queue behind it.
    assert.deepEqual(slept, [1000, 2000]);
  });

  it('asks the limit for every chunk and passes the bytes through in order', async () => {
    const asked: number[] = [];
    const chunks = [Buffer.from('abc'), Buffer.alloc(70_000, 7), Buffer.from('end')];
    const out: Buffer[] = [];
    await pipeline(
      Readable.from(chunks),
      throttled({ take: async (bytes) => void asked.push(bytes) }),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          out.push(chunk);
          done();
        },
      }),
    );
    assert.deepEqual(Buffer.concat(out), Buffer.concat(chunks));
    assert.equal(asked.reduce((a, b) => a + b, 0), 70_006);
  });

  it('fails the pipeline when the limit fails, instead of passing the chunk on', async () => {
    const failing = throttled({ take: async () => Promise.reject(new Error('limit gone')) });
    await assert.rejects(pipeline(Readable.from([Buffer.from('x')]), failing, new Writable({ write: (_c, _e, done) => done() })), /limit gone/);
  });

  it('a verification takes a cap of at least 1 KiB per second, for one run or each run of a schedule', () => {
    const base = { runId: 'r1', exportId: 'e1', level: 'checksums' };
    assert.equal(verifyExportInputSchema.parse({ ...base, maxBytesPerSecond: 50 * 1024 * 1024 }).maxBytesPerSecond, 50 * 1024 * 1024);
    assert.equal(verifyExportInputSchema.parse(base).maxBytesPerSecond, undefined, 'unset: as fast as the store answers');
    assert.equal(verifyExportInputSchema.safeParse({ ...base, maxBytesPerSecond: 512 }).success, false);
    assert.equal(verifyExportInputSchema.safeParse({ ...base, maxBytesPerSecond: 1024.5 }).success, false, 'whole bytes');
    assert.equal(scheduledVerificationInputSchema.parse({ level: 'decode', maxBytesPerSecond: 1024 }).maxBytesPerSecond, 1024);
  });

  it('--max-rate reads sizes in powers of 1024 and refuses anything else with INPUT_INVALID', () => {
    assert.equal(parseSize('50MB', '--max-rate'), 50 * 1024 * 1024);
    assert.equal(parseSize('1.5 kib', '--max-rate'), 1536);
    assert.equal(parseSize('4096', '--max-rate'), 4096);
    assert.throws(() => parseSize('fast', '--max-rate'), (error: Error & { code?: string }) => error.code === 'INPUT_INVALID' && /--max-rate "fast"/.test(error.message));
  });
});
