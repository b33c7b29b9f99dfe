// What differs between the systems the tests run on (Linux, macOS, Windows), in
// one place: the variables every process of a session has, where a user's folders
// are, what Node reports of permissions, and how a command file is started. The
// tests assert each system's own promise with these (SECURITY.md, "Windows").
import { spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const WINDOWS = process.platform === 'win32';

/** RUNNER_OS as the runner sets it on this system. */
export const RUNNER_OS = WINDOWS ? 'Windows' : process.platform === 'darwin' ? 'macOS' : 'Linux';

/**
 * The permission bits Node reports for a file or folder created with `mode`.
 * Windows has no mode bits: a mode only decides the read-only attribute (set
 * when the owner may not write), Node shows 0o666 or 0o444, and who may read
 * the file is the ACL it inherits from its folder.
 */
export function reportedMode(mode: number): number {
  if (!WINDOWS) return mode;
  return mode & 0o200 ? 0o666 : 0o444;
}

/**
 * The variables the system gives every process of a session, for processes the
 * tests start with a clean environment, as the runner passes them to every
 * step: the temp folder (TMPDIR: on macOS /tmp is a symbolic link, and the
 * session's folder is elsewhere; TEMP and TMP on Windows), and on Windows those
 * that programs read there: where the system and programs are (@actions/cache
 * finds Git's tar through ProgramFiles), the processor (Python's
 * platform.machine()), and how cmd finds a .cmd (PATHEXT, ComSpec).
 */
const SYSTEM_VARIABLES = WINDOWS
  ? ['SystemRoot', 'SystemDrive', 'windir', 'ComSpec', 'PATHEXT', 'TEMP', 'TMP', 'ProgramData', 'ProgramFiles', 'ProgramFiles(x86)', 'ProgramW6432', 'CommonProgramFiles', 'NUMBER_OF_PROCESSORS', 'PROCESSOR_ARCHITECTURE', 'OS']
  : ['TMPDIR'];

export function systemEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SYSTEM_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * A user's home for a process the tests start: HOME, and on Windows the profile
 * folders programs read there instead (USERPROFILE; APPDATA, where gcloud and
 * Python google-auth keep their configuration; LOCALAPPDATA, where the CLI keeps
 * its token cache), all inside `home`, so nothing of the real user's leaks in.
 */
export function homeEnv(home: string): Record<string, string> {
  if (!WINDOWS) return { HOME: home };
  return { HOME: home, USERPROFILE: home, APPDATA: join(home, 'AppData', 'Roaming'), LOCALAPPDATA: join(home, 'AppData', 'Local') };
}

/**
 * How a later step calls a command file (gemini-auth-token, gcloud) by its path
 * or its name: [command, args, options] for spawn. On Windows that is the .cmd,
 * which Node starts only through cmd, as a cmd or PowerShell step does: each
 * argument goes in double quotes, so none may hold a double quote or a %.
 */
export function commandFile(file: string, args: readonly string[]): [string, string[], { shell?: boolean }] {
  if (!WINDOWS) return [file, [...args], {}];
  if ([file, ...args].some((arg) => /["%]/.test(arg))) throw new Error(`cmd cannot take ${JSON.stringify([file, ...args])} as it is`);
  return [[file, ...args].map((arg) => `"${arg}"`).join(' '), [], { shell: true }];
}

/**
 * Ends `child` past a test's timeout. On Windows, where a command file runs
 * under cmd and Node's kill ends cmd alone, taskkill /T ends what it started
 * too, so that nothing keeps the output open; elsewhere Node's kill.
 */
export function killProcess(child: ChildProcess): void {
  if (WINDOWS && child.pid) spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
  child.kill('SIGKILL');
}

/** `text` as a regular expression that matches it literally (a Windows path's backslashes included). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The command line of an external_account executable that is a shell script:
 * the script itself, or on Windows, which starts no script by its path, Git
 * Bash with the script, as a user there names the interpreter. The program a
 * message names is then bash.
 */
export function shellScriptCommand(script: string): string {
  return WINDOWS ? `bash "${script}"` : script;
}

/** The program a message names for shellScriptCommand(script): the first word of the command line. */
export function shellScriptProgram(scriptName: string): string {
  return WINDOWS ? 'bash' : scriptName;
}
