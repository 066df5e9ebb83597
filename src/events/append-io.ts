/**
 * @module
 * The file operations of the appender (events/file-appender.ts) as
 * promises, on libuv's thread pool: open for appending, write, vectored
 * write, close, and the check of a file's last byte; and the count of
 * the lines left in a buffer.
 */
import { close, fstat, open, read, write, writev } from 'node:fs';

export function openAppend(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    open(path, 'a', (err, fd) => {
      if (err) reject(err);
      else resolve(fd);
    });
  });
}

export function writeAsync(
  fd: number,
  buf: Buffer,
  offset: number,
  length: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, buf, offset, length, null, (err, n) => {
      if (err) reject(err);
      else resolve(n);
    });
  });
}

export function writevAsync(fd: number, bufs: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, bufs, (err, n) => {
      if (err) reject(err);
      else resolve(n);
    });
  });
}

export function closeQuietly(fd: number): Promise<void> {
  return new Promise((resolve) => {
    close(fd, () => {
      resolve();
    });
  });
}

/**
 * Whether the file open for appending on `fd` (at `path`) ends in a newline:
 * true when empty or not a regular file (a FIFO, a device). Its last byte is
 * read through a second, read-only descriptor (the appending one cannot read).
 */
export function endsWithNewline(fd: number, path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    fstat(fd, (err, st) => {
      if (err) {
        reject(err);
        return;
      }
      if (!st.isFile() || st.size === 0) {
        resolve(true);
        return;
      }
      open(path, 'r', (oerr, rfd) => {
        if (oerr) {
          reject(oerr);
          return;
        }
        const one = Buffer.alloc(1);
        read(rfd, one, 0, 1, st.size - 1, (rerr) => {
          close(rfd, () => {
            if (rerr) reject(rerr);
            else resolve(one[0] === 0x0a);
          });
        });
      });
    });
  });
}

/** Newlines in bytes [from, to) of `buf`. */
export function countLines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i !== -1 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
