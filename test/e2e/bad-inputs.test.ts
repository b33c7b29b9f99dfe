// A corpus of bad inputs, through the built action: each ends in exit 1 with one
// clear ::error:: and no stack trace, before any request it does not need, and
// without leaking any secret in it (runAction scans every run).
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { failure, runAction } from '../support/action.ts';
import { BAD_INPUTS } from '../support/bad-inputs.ts';
import { startFakeGoogle } from '../support/fake-google.ts';
import { WINDOWS } from '../support/platform.ts';
import { makeTempDir } from '../support/runner.ts';

let dirs: string;
before(async () => {
  dirs = await makeTempDir();
});
after(() => {
  rmSync(dirs, { recursive: true, force: true });
});

describe('bad inputs', { concurrency: 4 }, () => {
  for (const [name, build] of BAD_INPUTS) {
    it(name, async () => {
      const fake = await startFakeGoogle();
      try {
        const bad = build(fake, dirs);
        const run = await runAction(fake, bad.inputs, { env: bad.env ?? {}, secrets: bad.secrets ?? [] });
        if (WINDOWS && bad.takenOnWindows) {
          // No mode bits on Windows: the folder is taken, and the file goes into it until the post step.
          assert.equal(run.main.code, 0, run.main.stdout);
          assert.equal(dirname(run.main.outputs.credentials_file_path ?? ''), bad.takenOnWindows);
          assert.deepEqual(readdirSync(bad.takenOnWindows), [], 'the post step removed it');
          return;
        }
        assert.match(failure(run.main), bad.expect);
        assert.match(failure(run.main), / Fix: \S/, 'the message says how to fix it');
        assert.equal(fake.requests.length, bad.requests ?? 0, 'no request it did not need');
        for (const value of bad.masked ?? []) assert.ok(run.main.masks.includes(value), 'a secret of a refused input is masked too');
        assert.deepEqual(run.leftovers, []);
        assert.equal(run.post.code, 0);
        bad.check?.();
      } finally {
        await fake.close();
      }
    });
  }
});
