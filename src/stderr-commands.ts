// Workflow commands on stderr, for commands whose stdout is their answer
// (gemini-auth-token, `gemini-auth token`): their stdout is read by
// `$(...)`, and the runner reads stderr for commands too. @actions/core writes
// commands to stdout only, where a mask or an error would end up in the
// caller's variable, unseen by the runner.
import { writeSync } from 'node:fs';

/** Writes all of `text`: a pipe another process made non-blocking can take it in parts, or be full for a moment. */
export function writeAll(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

/** The runner's escaping of a command's message, as @actions/core does it. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function command(name: string, message: string): void {
  writeAll(2, `::${name}::${escapeData(message)}\n`);
}

export function maskOnStderr(secret: string): void {
  if (secret !== '') command('add-mask', secret);
}

export function debugOnStderr(line: string): void {
  command('debug', line);
}

/** The failure line and exit code 1. */
export function failOnStderr(message: string): void {
  process.exitCode = 1;
  command('error', message);
}
