// How an external_account's executable is stopped at its timeout, for every
// platform on any machine: its process group on Linux and macOS; on Windows,
// which has no groups, taskkill over the tree of processes under it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { windowsTreeKill } from '../../src/credentials/executable-source.ts';

describe('stopping an executable and every process it started', () => {
  it('is taskkill /T /F on Windows, by its full path under SystemRoot, and the process group elsewhere', () => {
    assert.deepEqual(windowsTreeKill('win32', 4242, 'D:\\Windows'), { file: 'D:\\Windows\\System32\\taskkill.exe', args: ['/pid', '4242', '/T', '/F'] });
    assert.equal(windowsTreeKill('win32', 4242, undefined)?.file, 'C:\\Windows\\System32\\taskkill.exe', 'the usual SystemRoot when none is set');
    for (const platform of ['linux', 'darwin'] as const) assert.equal(windowsTreeKill(platform, 4242, '/unused'), undefined, platform);
  });
});
