import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The text of a small file, read whole but never past `maxBytes` + 1 bytes, so
 * that a path to something endless (a device, a pipe left open) cannot hang or
 * exhaust the process; the caller refuses what is longer than `maxBytes`.
 * Throws the file system's error.
 */
export function readAtMost(path: string, maxBytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let size = 0;
    for (let read = -1; read !== 0 && size < buffer.length; size += read) read = readSync(fd, buffer, size, buffer.length - size, null);
    return buffer.toString('utf8', 0, size);
  } finally {
    closeSync(fd);
  }
}
