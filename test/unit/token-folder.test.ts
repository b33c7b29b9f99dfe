import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { readInputs } from '../../src/inputs.ts';
import { createTokenFolder, installTokenCommand, readCurrentToken, writeCurrentToken } from '../../src/action/token-folder.ts';
import { isRenameRefusalToRetry } from '../../src/files/token-file.ts';
import { commandFile, WINDOWS } from '../support/platform.ts';

const root = mkdtempSync(join(tmpdir(), 'gemini-auth-unit-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('the token folder', () => {
  it('round-trips the token to the second, and reads anything else as no token', () => {
    const folder = createTokenFolder(root).path;
    assert.equal(readCurrentToken(folder), undefined);
    writeCurrentToken(folder, { accessToken: 'ya29.a', expiresAt: new Date('2026-11-23T10:00:00.750Z') });
    assert.deepEqual(readCurrentToken(folder), { accessToken: 'ya29.a', expiresAt: new Date('2026-11-23T10:00:00Z') });
    for (const text of ['', '{', '[]', '{"access_token":"ya29.a"}', '{"access_token":"","expires_at":"2026-11-23T10:00:00Z"}', '{"access_token":"ya29.a","expires_at":"soon"}']) {
      writeFileSync(join(folder, 'token.json'), text);
      assert.equal(readCurrentToken(folder), undefined, text);
    }
  });

  it('installs a wrapper that passes its arguments through, whatever the paths hold', () => {
    // Windows forbids " in names; there & ( ) ! are what cmd, which runs the .cmd, could take for its own.
    const parent = join(root, WINDOWS ? "it's $HOME & (here) !x!" : `it's "$HOME" \`here\``);
    mkdirSync(parent);
    const folder = createTokenFolder(parent);
    const script = join(parent, 'print-args.js');
    writeFileSync(script, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    const launch = { node: process.execPath, nodeOptions: ['--no-warnings'], script };
    const { bin, command } = installTokenCommand(folder, readInputs(() => ''), join(folder.path, 'adc.json'), { accessToken: 'ya29.a', expiresAt: new Date() }, launch);
    // On Windows the file a later step calls by its path is the .cmd.
    assert.equal(command, join(bin, WINDOWS ? 'gemini-auth-token.cmd' : 'gemini-auth-token'));
    const [file, args, options] = commandFile(command, ['--json', "a 'quoted' $arg"]);
    const output = execFileSync(file, args, { ...options, encoding: 'utf8' });
    const [option, state, ...rest] = JSON.parse(output) as string[];
    // The .cmd names its state folder as its own folder's parent, %~dp0..
    assert.deepEqual([option, resolve(state ?? ''), ...rest], ['--state', folder.path, '--json', "a 'quoted' $arg"]);
  });

  it('replaces the token while another process has the file open to read it', async () => {
    const folder = createTokenFolder(root).path;
    writeCurrentToken(folder, { accessToken: 'ya29.old', expiresAt: new Date('2026-11-23T10:00:00Z') });
    // A reader in another process, as a parallel call of gemini-auth-token is: it holds the file open for a moment.
    const hold = `const fd = require('node:fs').openSync(process.argv[1], 'r'); console.log('open'); setTimeout(() => require('node:fs').closeSync(fd), 300);`;
    const reader = spawn(process.execPath, ['-e', hold, join(folder, 'token.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => reader.stdout.once('data', resolve));
    writeCurrentToken(folder, { accessToken: 'ya29.new', expiresAt: new Date('2026-11-23T11:00:00Z') });
    assert.equal(readCurrentToken(folder)?.accessToken, 'ya29.new');
    await new Promise((resolve) => reader.once('close', resolve));
  });

  it('tries a refused rename of the token file again on Windows only, where a reader having it open refuses it for a moment', () => {
    for (const code of ['EPERM', 'EACCES', 'EBUSY']) {
      assert.equal(isRenameRefusalToRetry(code, 'win32'), true, code);
      for (const platform of ['linux', 'darwin'] as const) assert.equal(isRenameRefusalToRetry(code, platform), false, `${code} on ${platform}`);
    }
    for (const code of ['ENOENT', 'EXDEV', 'ENOSPC', undefined]) assert.equal(isRenameRefusalToRetry(code, 'win32'), false, String(code));
  });
});
