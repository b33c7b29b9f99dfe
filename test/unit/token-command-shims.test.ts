// The platform decisions of gemini-auth-token's wrappers, for every platform on
// any machine: which files, their exact content, the quoting of awkward paths,
// the path later steps call, and whether the folder can be on PATH.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathEntryProblem, tokenCommandFiles, tokenCommandPath, type TokenCommandLaunch } from '../../src/action/token-command-shims.ts';

/** A GitHub-hosted Windows runner: the runner's Node on C:, the work folder on D:. */
const HOSTED_WINDOWS: TokenCommandLaunch = {
  node: 'C:\\actions-runner\\externals\\node24\\bin\\node.exe',
  nodeOptions: [],
  script: 'D:\\a\\_actions\\gemini-auth\\gemini-auth\\v1\\dist\\token\\index.js',
};
const HOSTED_FOLDER = 'D:\\a\\_temp\\gemini-auth-0123456789abcdef01234567';
const HOSTED_BIN = `${HOSTED_FOLDER}\\bin`;

function cmdFile(launch: TokenCommandLaunch, folder: string, bin = `${folder}\\bin`): string {
  const files = tokenCommandFiles('win32', launch, folder, bin);
  assert.deepEqual(
    files.map((file) => file.name),
    ['gemini-auth-token', 'gemini-auth-token.cmd'],
    'on Windows: the sh wrapper for Git Bash, and the .cmd for cmd and PowerShell',
  );
  return files[1]?.content ?? '';
}

/** The line of the .cmd that starts Node. */
function commandLine(content: string): string {
  return content.split('\r\n')[2] ?? '';
}

describe('the POSIX wrapper', () => {
  it('is the only file on Linux and macOS, and execs this Node with its options on the script and the state folder', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const files = tokenCommandFiles(platform, { node: '/opt/node/bin/node', nodeOptions: ['--no-maglev'], script: '/w/_actions/dist/token/index.js' }, '/w/_temp/gemini-auth-ab', '/w/_temp/gemini-auth-ab/bin');
      assert.deepEqual(files, [
        {
          name: 'gemini-auth-token',
          content: "#!/bin/sh\nexec '/opt/node/bin/node' '--no-maglev' '/w/_actions/dist/token/index.js' '--state' '/w/_temp/gemini-auth-ab' \"$@\"\n",
        },
      ]);
    }
  });

  it('quotes quotes, spaces, dollars, backticks and percent signs so that sh reads them literally', () => {
    const [wrapper] = tokenCommandFiles('linux', { node: "/it's here/node", nodeOptions: [], script: '/a b/$HOME/`x`/100%/index.js' }, '/t/"q"', '/t/"q"/bin');
    assert.equal(wrapper?.content, `#!/bin/sh\nexec '/it'\\''s here/node' '/a b/$HOME/\`x\`/100%/index.js' '--state' '/t/"q"' "$@"\n`);
  });

  it('keeps Windows paths as they are for Git Bash, backslashes and all', () => {
    const [wrapper] = tokenCommandFiles('win32', HOSTED_WINDOWS, HOSTED_FOLDER, HOSTED_BIN);
    assert.equal(wrapper?.content, `#!/bin/sh\nexec '${HOSTED_WINDOWS.node}' '${HOSTED_WINDOWS.script}' '--state' '${HOSTED_FOLDER}' "$@"\n`);
  });
});

describe('the .cmd wrapper (Windows: cmd, pwsh, Windows PowerShell)', () => {
  it('on a hosted runner: echo off, delayed expansion off, Node by its full path, the script and the state beside the .cmd by %~dp0, CRLF', () => {
    assert.equal(
      cmdFile(HOSTED_WINDOWS, HOSTED_FOLDER),
      '@echo off\r\n' +
        'setlocal DisableDelayedExpansion\r\n' +
        '"C:\\actions-runner\\externals\\node24\\bin\\node.exe" "%~dp0..\\..\\..\\_actions\\gemini-auth\\gemini-auth\\v1\\dist\\token\\index.js" --state "%~dp0.." %*\r\n',
    );
  });

  it('passes the Node options the runner gave this step', () => {
    assert.match(commandLine(cmdFile({ ...HOSTED_WINDOWS, nodeOptions: ['--no-maglev'] }, HOSTED_FOLDER)), /^"C:\\actions-runner\\externals\\node24\\bin\\node\.exe" "--no-maglev" "%~dp0/);
  });

  it('doubles percent signs, the one character cmd still expands inside double quotes, in full and in relative paths', () => {
    const line = commandLine(cmdFile({ node: 'C:\\100% node\\node.exe', nodeOptions: [], script: 'D:\\w %TEMP%\\_actions\\index.js' }, 'D:\\w %TEMP%\\_temp\\gemini-auth-ab'));
    assert.equal(line, '"C:\\100%% node\\node.exe" "%~dp0..\\..\\..\\_actions\\index.js" --state "%~dp0.." %*');
    const relative = commandLine(cmdFile({ node: 'C:\\n\\node.exe', nodeOptions: [], script: 'D:\\w\\50%\\index.js' }, 'D:\\w\\_temp\\gemini-auth-ab'));
    assert.match(relative, /"%~dp0\.\.\\\.\.\\\.\.\\50%%\\index\.js"/);
  });

  it('keeps &, ^, |, <, >, ( ), ! and spaces inside double quotes, where cmd takes them literally', () => {
    const node = 'C:\\Program Files (x86)\\R&D ^ tools\\a|b<c>!d!\\node.exe';
    const line = commandLine(cmdFile({ node, nodeOptions: [], script: 'D:\\a\\_actions\\index.js' }, HOSTED_FOLDER));
    assert.ok(line.startsWith(`"${node}" `), line);
    // Every special character sits inside a pair of quotes: outside them only the words and %*.
    assert.equal(line.replace(/"[^"]*"/g, 'Q'), 'Q Q --state Q %*');
  });

  it('writes nothing outside ASCII when the paths share the drive of the .cmd, so the console code page cannot garble them', () => {
    const root = 'C:\\Users\\José Müller\\actions-runner';
    const content = cmdFile({ node: `${root}\\externals\\node24\\bin\\node.exe`, nodeOptions: [], script: `${root}\\_work\\_actions\\o\\r\\v1\\dist\\token\\index.js` }, `${root}\\_work\\_temp\\gemini-auth-ab`);
    assert.match(content, /^[\x20-\x7e\r\n]*$/);
    assert.equal(commandLine(content), '"%~dp0..\\..\\..\\..\\externals\\node24\\bin\\node.exe" "%~dp0..\\..\\..\\_actions\\o\\r\\v1\\dist\\token\\index.js" --state "%~dp0.." %*');
  });

  it('ends no quoted path with a backslash, which Node would read as an escaped quote', () => {
    const content = cmdFile(HOSTED_WINDOWS, HOSTED_FOLDER);
    assert.doesNotMatch(content, /\\"/);
  });

  it('refuses to quote a double quote or a line break, which no Windows file name holds', () => {
    assert.throws(() => cmdFile({ ...HOSTED_WINDOWS, nodeOptions: ['--title="x"'] }, HOSTED_FOLDER), /cannot quote/);
    assert.throws(() => cmdFile({ ...HOSTED_WINDOWS, node: 'C:\\a\nb\\node.exe' }, HOSTED_FOLDER), /cannot quote/);
  });
});

describe('the command a later step calls by its path', () => {
  it('is the .cmd on Windows, which PowerShell runs by its full path, and the sh wrapper elsewhere', () => {
    // Forward slashes: Git Bash would look a name without "/" up on PATH.
    assert.equal(tokenCommandPath('win32', HOSTED_BIN), `${HOSTED_BIN.replaceAll('\\', '/')}/gemini-auth-token.cmd`);
    assert.ok(!tokenCommandPath('win32', HOSTED_BIN).includes('\\'));
    assert.equal(tokenCommandPath('linux', '/w/_temp/gemini-auth-ab/bin'), '/w/_temp/gemini-auth-ab/bin/gemini-auth-token');
    assert.equal(tokenCommandPath('darwin', '/Users/runner/work/_temp/gemini-auth-ab/bin'), '/Users/runner/work/_temp/gemini-auth-ab/bin/gemini-auth-token');
  });
});

describe('the PATH entry', () => {
  it('is refused only when the folder holds the platform\'s separator: ":" on Linux and macOS, ";" on Windows', () => {
    assert.equal(pathEntryProblem('/w/_temp/gemini-auth-ab/bin', ':'), undefined);
    assert.equal(pathEntryProblem(HOSTED_BIN, ';'), undefined, "a drive letter's colon is no separator on Windows");
    assert.match(pathEntryProblem('/w/a:b/gemini-auth-ab/bin', ':') ?? '', /^gemini-auth-token is not on PATH: its folder \/w\/a:b\/gemini-auth-ab\/bin holds ":".*token_command/);
    assert.match(pathEntryProblem('D:\\a;b\\gemini-auth-ab\\bin', ';') ?? '', /holds ";"/);
  });
});
