import * as core from '@actions/core';
import { shellLog, type Log } from '../log.ts';

/** The core's lines as the runner shows them: masks, debug lines only when debugging, warning annotations. */
export const runnerLog: Log = shellLog({
  mask: (secret) => core.setSecret(secret),
  info: (line) => core.info(line),
  debug: (line) => core.debug(line),
  warn: (line) => core.warning(line),
});
