/**
 * node:crypto on first use. Importing it costs about 4 ms at start-up, more
 * than any other single module here, and most runs (an authorized_user token,
 * the post step, the token command) need no more than random bytes, which
 * /dev/urandom gives without it.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export function nodeCrypto(): typeof import('node:crypto') {
  return process.getBuiltinModule('node:crypto');
}

/** `bytes` cryptographically random bytes as hex: from the kernel where it has /dev/urandom, else node:crypto. */
export function randomHex(bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      for (let filled = 0; filled < bytes; ) filled += readSync(fd, buffer, filled, bytes - filled, null);
    } finally {
      closeSync(fd);
    }
  } catch {
    nodeCrypto().randomFillSync(buffer);
  }
  return buffer.toString('hex');
}
