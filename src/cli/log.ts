// The CLI's Log: lines on stderr, so that stdout carries only the answer (a
// token, variables, a count). Quiet unless something needs attention: a run
// prints warnings, or its one failure line; --debug adds what the Action logs
// (the credentials used, the OIDC token's claims, the files written) and one
// line per HTTP attempt. Every line is cleaned of every masked value before it
// is written; under GitHub Actions each mask is also registered with the
// runner (`::add-mask::` on stderr).
import { shellLog, type Log } from '../log.ts';
import { maskSecret } from '../secrets.ts';
import { maskOnStderr, writeAll } from '../stderr-commands.ts';

export interface CliLog extends Log {
  /** The command's one failure line, `gemini-auth: CAUSE. Fix: FIX`, with secrets hidden and on one line. */
  fail(message: string): void;
}

export interface LogOptions {
  readonly debug: boolean;
  /** Running in a GitHub Actions step: masks go to the runner too. */
  readonly githubActions: boolean;
}

const HIDDEN = '***';

export function stderrLog(options: LogOptions): CliLog {
  /** Longest first, so that a secret inside another is hidden as part of the longer one. */
  const masks: string[] = [];
  const redact = (text: string): string => masks.reduce((line, secret) => line.split(secret).join(HIDDEN), text);
  const print = (line: string): void => writeAll(2, `${redact(line)}\n`);
  const add = (form: string): void => {
    if (form === '' || masks.includes(form)) return;
    masks.push(form);
    masks.sort((a, b) => b.length - a.length);
    if (options.githubActions) maskOnStderr(form);
  };
  // The core's guards around it, as every shell has them: remembered secrets, lines that cannot start a workflow command.
  const log = shellLog({
    // Every form a secret can take in a line: itself, each line of it, JSON-escaped, URL-encoded.
    mask: (secret) => maskSecret(secret, add),
    info: (line) => print(line),
    debug: (line) => print(`debug: ${line}`),
    warn: (line) => print(`warning: ${line}`),
  });
  // Without --debug, info and debug lines are dropped before the guards clean them: a cached token prints nothing.
  const quiet = (): void => {};
  return {
    ...log,
    ...(options.debug ? {} : { info: quiet, debug: quiet }),
    fail: (message) => writeAll(2, `gemini-auth: ${redact(message).replace(/\s*[\r\n]+\s*/g, ' ')}\n`),
  };
}
