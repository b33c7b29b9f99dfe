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
