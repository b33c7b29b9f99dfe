import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFolders, createPrivateFolder } from '../../src/files/folders.ts';
import { CREDENTIALS_FOLDER, isInsideWorkspace, runnerTemp, systemTemp, writeSecretFile, writeSecretJson } from '../../src/files/secret-file.ts';
import { ActionError } from '../../src/errors.ts';
import { reportedMode, WINDOWS } from '../support/platform.ts';
import { makeTempDir } from '../support/runner.ts';

let root: string;
let count = 0;
before(async () => {
  root = await makeTempDir();
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh path under the test's folder. */
const fresh = (name: string): string => join(root, `${++count}-${name}`);

function refused(write: () => unknown, pattern: RegExp): void {
  assert.throws(write, (error: unknown) => error instanceof ActionError && pattern.test(error.message) && !!error.fix);
}

describe('writeSecretJson', () => {
  it('writes gemini-auth-<random>.json, 0600, into a folder createFolders makes 0700, level by level', () => {
    const top = fresh('new');
    const dir = join(top, 'nested');
    assert.deepEqual(createFolders(dir, CREDENTIALS_FOLDER).map((folder) => folder.path), [top, dir], 'each level it made, outermost first');
    assert.deepEqual(createFolders(dir, CREDENTIALS_FOLDER), [], 'none when the folder is there');
    const path = writeSecretJson(dir, { type: 'authorized_user', refresh_token: 'r' });
    assert.match(path, /[\\/]gemini-auth-[0-9a-f]{24}\.json$/);
    assert.equal(statSync(path).mode & 0o777, reportedMode(0o600));
    assert.equal(statSync(dir).mode & 0o777, reportedMode(0o700));
    assert.equal(statSync(top).mode & 0o777, reportedMode(0o700));
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { type: 'authorized_user', refresh_token: 'r' });
    assert.notEqual(writeSecretJson(dir, {}), path, 'each file gets its own name');
  });

  it('refuses a folder that is a symbolic link, and writes nothing where it points', () => {
    const target = fresh('target');
    mkdirSync(target);
    const link = fresh('link');
    // Junctions on Windows, which need no privilege there and are symbolic links to Node; elsewhere the type is ignored.
    symlinkSync(target, link, 'junction');
    refused(() => writeSecretJson(link, { secret: 'x' }), /is a symbolic link/);
    assert.deepEqual(readdirSync(target), []);
    const dangling = fresh('dangling');
    symlinkSync(fresh('missing'), dangling, 'junction');
    refused(() => writeSecretJson(dangling, { secret: 'x' }), /is a symbolic link/);
  });

  const openFolder = WINDOWS
    ? 'takes a folder whatever chmod made of it on Windows, where its ACL, not mode bits, says who may write to it'
    : 'refuses a folder anyone may write to without the sticky bit, and takes one with it (like /tmp)';
  it(openFolder, () => {
    const open = fresh('open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    if (WINDOWS) {
      // chmod only decides the read-only attribute there, and the check that needs mode bits does not run.
      assert.deepEqual(readdirSync(open), [basename(writeSecretJson(open, {}))]);
      return;
    }
    refused(() => writeSecretJson(open, {}), /writable by every user and has no sticky bit/);
    assert.deepEqual(readdirSync(open), []);
    chmodSync(open, 0o1777);
    assert.equal(statSync(writeSecretJson(open, {})).mode & 0o777, 0o600);
  });

  it('refuses a file in place of the folder', () => {
    const file = fresh('file');
    writeFileSync(file, 'x');
    refused(() => writeSecretJson(file, {}), /is not a folder/);
  });
});

describe('writeSecretFile', () => {
  it('never writes through a symlink planted at its path, nor over a file already there', () => {
    const dir = fresh('planted');
    mkdirSync(dir);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'untouched');
    const link = join(dir, 'gemini-auth-0.json');
    symlinkSync(victim, link);
    refused(() => writeSecretFile(link, 'secret'), /Cannot create the credentials file .* \(EEXIST\)/);
    assert.equal(readFileSync(victim, 'utf8'), 'untouched');
    assert.ok(lstatSync(link).isSymbolicLink());

    const dangling = join(dir, 'gemini-auth-1.json');
    symlinkSync(join(dir, 'would-be-created'), dangling);
    refused(() => writeSecretFile(dangling, 'secret'), /EEXIST/);
    assert.ok(!existsSync(join(dir, 'would-be-created')), 'a dangling link does not create its target');

    refused(() => writeSecretFile(victim, 'secret'), /EEXIST/);
    assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  });
});

describe('isInsideWorkspace', () => {
  it('sees the workspace through symlinks and relative paths, and nothing beside it', () => {
    const workspace = fresh('workspace');
    mkdirSync(join(workspace, 'sub'), { recursive: true });
    const alias = fresh('alias');
    symlinkSync(workspace, alias, 'junction');
    const env = { GITHUB_WORKSPACE: workspace };
    for (const dir of [workspace, join(workspace, 'sub'), join(alias, 'sub'), join(workspace, 'not-yet', '..', 'sub')]) assert.equal(isInsideWorkspace(dir, env), true, dir);
    for (const dir of [root, fresh('workspace-sibling'), `${workspace}-2`]) assert.equal(isInsideWorkspace(dir, env), false, dir);
    assert.equal(isInsideWorkspace(workspace, {}), false, 'no workspace outside a runner');
  });
});

describe('the default folders', () => {
  it("are the system temp folder as the real folder (macOS's /tmp is a link the system keeps), where secret folders may go", () => {
    const real = fresh('real-temp');
    mkdirSync(real);
    const link = fresh('linked-temp');
    symlinkSync(real, link, 'junction');
    const saved = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
    try {
      // os.tmpdir() reads these at each call: TMPDIR on macOS and Linux, TEMP and TMP on Windows.
      process.env.TMPDIR = process.env.TMP = process.env.TEMP = link;
      assert.equal(systemTemp(), realpathSync(real));
      assert.equal(runnerTemp({}), realpathSync(real), 'outside a runner, the system temp folder');
      assert.equal(runnerTemp({ RUNNER_TEMP: link }), link, "the runner's own is taken as it is: the folder checks judge it");
      const folder = createPrivateFolder(systemTemp(), CREDENTIALS_FOLDER).path;
      assert.ok(folder.startsWith(realpathSync(real)));
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
