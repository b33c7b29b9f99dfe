#!/usr/bin/env node
// gemini-auth: the command-line shell over the same core as the Action. A
// cached token is the common case of `gemini-auth token`, called once per
// request in users' scripts: it costs a file read and a hash, and loads nothing
// else; everything that mints is imported only when a token must be minted.
import { ActionError, failureMessage } from '../errors.ts';
import { maskOnStderr, writeAll } from '../stderr-commands.ts';
import { isoSeconds } from '../token.ts';
import { stderrLog, type CliLog } from './log.ts';
import { parseCommandLine, PROGRAM } from './options.ts';
import { readCachedToken } from './token-cache.ts';
import { printToken } from './token-output.ts';
import { tokenRequest } from './token-request.ts';

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  // Until the command line is read, a failure is a usage error without any secret to hide.
  let log: CliLog = stderrLog({ debug: false, githubActions: false });
  try {
    const line = parseCommandLine(argv, env);
    if (line.version) {
      const { default: manifest } = await import('../../package.json', { with: { type: 'json' } });
      return writeAll(1, `${PROGRAM} ${manifest.version}\n`);
    }
    if (line.help || !line.command) {
      const { commandHelp, programHelp } = await import('./help.ts');
      return writeAll(1, line.command ? commandHelp(line.command) : programHelp());
    }
    // npm installs a package for an older Node with a warning only; what fails later would not say why.
    if (Number(process.versions.node.split('.')[0]) < 24) {
      throw new ActionError(`${PROGRAM} needs Node.js 24 or later; this is Node.js ${process.versions.node}.`, 'Run it with Node.js 24 (in CI, an image such as node:24 or cimg/node:24.x; on a laptop, https://nodejs.org).');
    }
    const githubActions = env.GITHUB_ACTIONS === 'true';
    log = stderrLog({ debug: line.flag('debug'), githubActions });
    if (line.command === 'token') {
      const request = tokenRequest(line, env);
      const cached = readCachedToken(request.entry, request.inputs.minTokenLifetimeSeconds);
      if (cached) {
        // A token cached by an earlier job on this machine was masked in that job's log only.
        if (githubActions) maskOnStderr(cached.accessToken);
        log.debug(`Using the cached token of ${request.entry.path}, valid until ${isoSeconds(cached.expiresAt)}.`);
        return printToken(cached, line.flag('json'));
      }
      const { token } = await import('./commands.ts');
      return await token(line, env, log, request);
    }
    const commands = await import('./commands.ts');
    await commands[line.command](line, env, log);
  } catch (error) {
    process.exitCode = 1;
    log.fail(failureMessage(error));
  }
}

await main(process.argv.slice(2), process.env);
