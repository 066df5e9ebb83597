import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CHUNK_BYTES, FileAppender } from './file-appender.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snare-appender-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const line = (i: number) => `line ${i} ${'é'.repeat(i % 5)}\n`;

describe('FileAppender', () => {
  it('writes every line to its file in order, and flush waits for them', async () => {
    const errors: unknown[] = [];
    const out = new FileAppender({
      flushIntervalMs: 1000,
      batchBytes: 4096,
      maxPendingBytes: 1 << 20,
      onError: (e) => errors.push(e),
    });
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const want = new Map([
      [a, ''],
      [b, ''],
    ]);
    for (let i = 0; i < 5000; i++) {
      const path = i % 3 === 0 ? b : a;
      assert.ok(out.append(path, line(i)));
      want.set(path, (want.get(path) ?? '') + line(i));
    }
    await out.flush();
    assert.equal(out.backlog, 0);
    assert.equal(readFileSync(a, 'utf8'), want.get(a));
    assert.equal(readFileSync(b, 'utf8'), want.get(b));
    await out.close();
    assert.deepEqual(errors, []);
    assert.equal(out.append(a, 'late\n'), false);
  });

  it('keeps the event loop running while the file blocks, bounds what waits, and loses nothing it accepted', async () => {
    // A FIFO without a reader: opening it for writing blocks (in the thread pool) like a stalled disk.
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const errors: unknown[] = [];
    const out = new FileAppender({
      flushIntervalMs: 5,
      batchBytes: 1024,
      maxPendingBytes: 64 * 1024,
      onError: (e) => errors.push(e),
    });
    let expected = '';
    let reader: ReturnType<typeof createReadStream> | null = null;
    try {
      for (let i = 0; i < 20_000; i++) {
        if (out.append(fifo, line(i))) expected += line(i);
        if (i % 1000 === 0) {
          const t0 = performance.now();
          await new Promise((r) => setTimeout(r, 1));
          assert.ok(performance.now() - t0 < 500, 'the event loop stalled');
        }
      }
      assert.ok(out.dropped > 0);
      assert.ok(out.backlog <= 2 * 64 * 1024, `backlog ${out.backlog}`);
      assert.equal(errors.length, 1, 'one report per stretch of drops');
      assert.match(String(errors[0]), /dropping lines/);
    } finally {
      reader = createReadStream(fifo, { encoding: 'utf8' });
    }
    let got = '';
    reader.on('data', (d) => (got += String(d)));
    // Listen before closing: the reader can reach its end and close before
    // `out.close()` resolves, and a listener added after would wait for ever.
    const readerClosed = new Promise<void>((r) =>
      reader.once('close', () => {
        r();
      }),
    );
    await out.close();
    await readerClosed;
    assert.equal(got.length, expected.length);
    assert.equal(got, expected);
  });

  it('resumes after a failed write where it stopped, without writing a line twice, and reports a failing disk once', async () => {
    const errors: unknown[] = [];
    const out = new FileAppender({
      flushIntervalMs: 1000,
      batchBytes: 1 << 20,
      maxPendingBytes: 1 << 20,
      onError: (e) => errors.push(e),
    });
    const path = join(dir, 'missing', 'f');
    for (let i = 0; i < 10; i++) out.append(path, line(i));
    await out.flush();
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /ENOENT/);
    assert.equal(
      out.backlog,
      Buffer.byteLength(Array.from({ length: 10 }, (_, i) => line(i)).join('')),
    );
    // Still failing: retried, not reported again.
    for (let i = 10; i < 15; i++) out.append(path, line(i));
    await out.flush();
    assert.equal(errors.length, 1);
    mkdirSync(join(dir, 'missing'));
    for (let i = 15; i < 20; i++) out.append(path, line(i));
    await out.close();
    assert.equal(
      readFileSync(path, 'utf8'),
      Array.from({ length: 20 }, (_, i) => line(i)).join(''),
    );
  });

  it('writes lines spread over many buffers and two files exactly once, in order, across a failed write', async () => {
    const errors: unknown[] = [];
    const out = new FileAppender({
      flushIntervalMs: 1000,
      batchBytes: 8 * CHUNK_BYTES,
      maxPendingBytes: 16 * CHUNK_BYTES,
      onError: (e) => errors.push(e),
    });
    const a = join(dir, 'missing', 'a');
    const b = join(dir, 'missing', 'b');
    const want = new Map([
      [a, ''],
      [b, ''],
    ]);
    const long = (i: number) => `${line(i).slice(0, -1)} ${'x'.repeat(300)}\n`;
    // Runs of 2,000 lines (some 700 KB) per file: runs cross buffers, buffers hold both files.
    for (let i = 0; i < 12_000; i++) {
      const path = Math.floor(i / 2000) % 2 === 0 ? a : b;
      assert.ok(out.append(path, long(i)));
      want.set(path, (want.get(path) ?? '') + long(i));
    }
    assert.ok(out.backlog > 3 * CHUNK_BYTES, `backlog ${out.backlog}`);
    await out.flush();
    assert.equal(errors.length, 1, 'the directory is missing');
    mkdirSync(join(dir, 'missing'));
    await out.close();
    assert.equal(readFileSync(a, 'utf8'), want.get(a));
    assert.equal(readFileSync(b, 'utf8'), want.get(b));
    assert.equal(out.lost, 0);
  });

  it('holds the bytes of its backlog, not twice them, while the disk stalls, and lets them go once written', async () => {
    /**
     * Array buffers (where the lines wait) after full collections; V8
     * frees the memory of dead ones on a thread of its own, meanwhile.
     */
    const buffersAfterGc = async (): Promise<number> => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      return process.memoryUsage().arrayBuffers;
    };
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const out = new FileAppender({
      flushIntervalMs: 5,
      batchBytes: 256 * 1024,
      maxPendingBytes: 16 * 1024 * 1024,
    });
    const long = (i: number) => `${line(i).slice(0, -1)} ${'x'.repeat(600)}\n`;
    let expected = 0;
    let reader: ReturnType<typeof createReadStream> | null = null;
    const before = await buffersAfterGc();
    try {
      // 5.5 MB wait for a FIFO without a reader (a stalled disk): one buffer grown by doubling held 8 MB.
      for (let i = 0; expected < 5.5 * 1024 * 1024; i++) {
        assert.ok(out.append(fifo, long(i)));
        expected += Buffer.byteLength(long(i));
        if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      assert.equal(out.backlog, expected);
      // The backlog, with the unused end of the buffer being filled and of the first one written.
      const bound = expected + 2 * CHUNK_BYTES;
      const held = (await buffersAfterGc()) - before;
      assert.ok(
        held <= bound,
        `${(held / 1048576).toFixed(1)} MB of buffers for a backlog of ${(expected / 1048576).toFixed(1)} MB`,
      );
      assert.ok(out.bufferBytes <= bound, `${out.bufferBytes} bytes of buffers`);
    } finally {
      // A reader ends the stall (the blocked open), whatever failed above.
      reader = createReadStream(fifo);
    }
    let got = 0;
    reader.on('data', (d) => (got += d.length));
    const readerClosed = new Promise<void>((r) =>
      reader.once('close', () => {
        r();
      }),
    );
    await out.flush();
    assert.equal(out.backlog, 0);
    // Written: two buffers kept for the next lines, the others let go.
    assert.ok(out.bufferBytes <= 2 * CHUNK_BYTES, `${out.bufferBytes} bytes of buffers kept`);
    const kept = (await buffersAfterGc()) - before;
    assert.ok(kept <= 2.5 * CHUNK_BYTES, `${(kept / 1048576).toFixed(1)} MB of buffers kept`);
    await out.close();
    await readerClosed;
    assert.equal(got, expected);
  });
});
