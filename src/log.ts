import { rememberSecret } from './secrets.ts';
import { logLine } from './untrusted.ts';

/**
 * How everything below the two shells reaches the user. The Action shell
 * implements it with @actions/core (masks and annotations the runner
 * understands), the CLI with stderr. No module below the shells imports either.
 */
export interface Log {
  /** Registers a secret so that no later line shows it; called before the secret can reach any line. */
  mask(secret: string): void;
  info(line: string): void;
  /** Shown only when the user asks for debug output. */
  debug(line: string): void;
  /** Something the user should act on that does not stop the run. */
  warn(line: string): void;
}

/**
 * The Log a shell hands down, around its own way of printing: each masked
 * secret is also remembered, so that `untrusted` redacts it from text from
 * outside, and no line can start a workflow command (`logLine`). Every shell
 * builds its Log with this.
 */
export function shellLog(sink: Log): Log {
  return {
    mask(secret) {
      rememberSecret(secret);
      sink.mask(secret);
    },
    info: (line) => sink.info(logLine(line)),
    debug: (line) => sink.debug(logLine(line)),
    warn: (line) => sink.warn(logLine(line)),
  };
}
