/**
 * @module
 * Input files as byte streams: plain or gzip (recognised by its magic
 * bytes), read in large chunks from a given offset of the decompressed
 * content. Also the file's identity for idempotent re-imports: the SHA-256
 * of its first bytes (at most HEAD_BYTES), which survives renames and growth.
 *
 * Must never load a whole file into memory.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';

/** Bytes hashed for a file's identity. */
export const HEAD_BYTES = 64 * 1024;
/** Read size: large chunks keep the per-chunk overhead negligible. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** First `n` bytes of a file (fewer when it is shorter). */
export function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, buf, got, n - got, got);
      if (r === 0) break;
      got += r;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

export interface FileInfo {
  readonly path: string;
  /** Size on disk (compressed size for .gz). */
  readonly size: number;
  readonly gzip: boolean;
  /** Bytes covered by headSha (min(size, HEAD_BYTES)). */
  readonly headBytes: number;
  readonly headSha: string;
}

export function fileInfo(path: string): FileInfo {
  const size = statSync(path).size;
  const head = readHead(path, Math.min(size, HEAD_BYTES));
  return {
    path,
    size,
    gzip: head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b,
    headBytes: head.length,
    headSha: sha256(head),
  };
}

/**
 * The decompressed content from `offset` on, in chunks. For a plain file
 * the read starts at the offset; a gzip stream is decompressed and the
 * first `offset` bytes skipped.
 */
export async function* readChunks(info: FileInfo, offset: number): AsyncGenerator<Buffer> {
  if (!info.gzip) {
    const s = createReadStream(info.path, { start: offset, highWaterMark: CHUNK_BYTES });
    for await (const chunk of s) yield chunk as Buffer;
    return;
  }
  const s = createReadStream(info.path, { highWaterMark: CHUNK_BYTES }).pipe(
    createGunzip({ chunkSize: 1024 * 1024 }),
  );
  let skip = offset;
  for await (const raw of s) {
    let chunk = raw as Buffer;
    if (skip > 0) {
      if (chunk.length <= skip) {
        skip -= chunk.length;
        continue;
      }
      chunk = chunk.subarray(skip);
      skip = 0;
    }
    yield chunk;
  }
}

/** The first decompressed bytes of a file (for format detection). */
export async function peek(info: FileInfo, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of readChunks(info, 0)) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= n) break;
    }
  } catch {
    // A truncated gzip still yields what it had.
  }
  return Buffer.concat(parts).subarray(0, n);
}

/** Sensor id from a file name: the name without its extensions (`hp01.log.gz` -> `hp01`). */
export function sensorFromPath(path: string): string {
  const name = basename(path);
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** A file to import, and whether the user named it (rather than it being found in a directory). */
export interface SourcePath {
  readonly path: string;
  readonly named: boolean;
}

/**
 * Files named on the command line, directories walked (sorted, hidden
 * entries skipped). A path that cannot be read (missing, no permission) is
 * kept, so the import reports it as an error and goes on with the others.
 */
export async function expandPaths(paths: readonly string[]): Promise<SourcePath[]> {
  const out: SourcePath[] = [];
  async function walk(p: string, named: boolean): Promise<void> {
    let names: string[];
    try {
      const st = await stat(p);
      if (st.isFile()) {
        out.push({ path: p, named });
        return;
      }
      if (!st.isDirectory()) return;
      names = await readdir(p);
    } catch {
      out.push({ path: p, named });
      return;
    }
    for (const n of names.filter((x) => !x.startsWith('.')).sort()) await walk(join(p, n), false);
  }
  for (const p of paths) await walk(p, true);
  return out;
}
