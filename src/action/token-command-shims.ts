// The files that make gemini-auth-token callable from every shell of a job: a
// POSIX sh wrapper (bash, sh, and Git Bash on Windows) and, on Windows, a .cmd
// beside it, which cmd, PowerShell 7 (pwsh) and Windows PowerShell 5.1 find
// through PATHEXT. Pure decisions of the platform, the Node and the paths, so
// that the Windows branch is tested on any machine.
import { posix, win32 } from 'node:path';

export const TOKEN_COMMAND = 'gemini-auth-token';

/** How the token command starts: the Node that runs this step, with the options the runner gave it, and the script. */
export interface TokenCommandLaunch {
  readonly node: string;
  /** `process.execArgv`: the runner adds `--no-maglev` to Node 24 on some Windows runners; the command needs it as much. */
  readonly nodeOptions: readonly string[];
  readonly script: string;
}

export interface CommandFile {
  readonly name: string;
  readonly content: string;
}

/** The command files for `platform`, to be written into `bin`, a folder of the token folder `folder`. */
export function tokenCommandFiles(platform: NodeJS.Platform, launch: TokenCommandLaunch, folder: string, bin: string): CommandFile[] {
  const files = [{ name: TOKEN_COMMAND, content: posixWrapper(launch, folder) }];
  if (platform === 'win32') files.push({ name: `${TOKEN_COMMAND}.cmd`, content: cmdWrapper(launch, bin) });
  return files;
}

/**
 * The file a later step calls by its path (the `token_command` output). On
 * Windows the .cmd: PowerShell hands a file without an extension, called by
 * its full path, to the shell's "open with", not to a shell. Its path is
 * written with forward slashes, which cmd, PowerShell and Git Bash all take:
 * bash looks a name without a `/` up on PATH, so `C:\…\x.cmd` would not be found.
 */
export function tokenCommandPath(platform: NodeJS.Platform, bin: string): string {
  return platform === 'win32' ? win32.join(bin, `${TOKEN_COMMAND}.cmd`).replaceAll('\\', '/') : posix.join(bin, TOKEN_COMMAND);
}

/**
 * Why `bin` cannot be an entry of PATH, or undefined when it can: an entry
 * that holds the separator is split in two by every shell.
 */
export function pathEntryProblem(bin: string, delimiter: string): string | undefined {
  if (!bin.includes(delimiter)) return undefined;
  return `${TOKEN_COMMAND} is not on PATH: its folder ${bin} holds "${delimiter}", which separates the entries of PATH. Call it by its path, the step's output token_command, or set RUNNER_TEMP to a folder without "${delimiter}".`;
}

/** `exec`s the Node, so signals and the exit code are the command's own. */
function posixWrapper({ node, nodeOptions, script }: TokenCommandLaunch, folder: string): string {
  const words = [node, ...nodeOptions, script, '--state', folder].map(shellQuote).join(' ');
  return `#!/bin/sh\nexec ${words} "$@"\n`;
}

/** One argument for sh: single quotes keep everything literal but a single quote, which is closed, escaped and reopened. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The wrapper for cmd and PowerShell. `@echo off` keeps cmd from echoing its
 * lines into the token on stdout; delayed expansion off (for this file only,
 * with `setlocal`) keeps a `!` in a path literal. Paths on the drive of the
 * .cmd are written relative to `%~dp0`, its own folder, which cmd expands
 * itself: cmd reads the file in the console's code page, so characters outside
 * ASCII written into it would not survive, while those it expands do. The
 * state folder is `%~dp0..`, the .cmd's parent. CRLF line ends, as cmd's
 * parser expects.
 */
function cmdWrapper({ node, nodeOptions, script }: TokenCommandLaunch, bin: string): string {
  const words = [cmdPath(node, bin), ...nodeOptions.map(cmdQuote), cmdPath(script, bin), '--state', '"%~dp0.."'].join(' ');
  return ['@echo off', 'setlocal DisableDelayedExpansion', `${words} %*`, ''].join('\r\n');
}

/** `target` quoted for the .cmd in `bin`: relative to `%~dp0` on the same drive, else absolute. */
function cmdPath(target: string, bin: string): string {
  const relative = win32.relative(bin, target);
  return win32.isAbsolute(relative) ? cmdQuote(target) : `"%~dp0${cmdEscape(relative)}"`;
}

/**
 * One argument in double quotes, where cmd takes `&`, `^`, `|`, `<`, `>` and
 * spaces literally; only `%` still expands, so it is doubled. Windows forbids
 * `"` and line breaks in file names; the quoting holds for anything else.
 */
function cmdQuote(text: string): string {
  return `"${cmdEscape(text)}"`;
}

function cmdEscape(text: string): string {
  if (/["\r\n]/.test(text)) throw new Error(`A .cmd file cannot quote ${JSON.stringify(text)}: it holds a double quote or a line break.`);
  return text.replaceAll('%', '%%');
}
