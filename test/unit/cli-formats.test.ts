// The CLI's pure parts that the end-to-end tests cannot reach from this machine:
// the cache folder on Windows and with a relative XDG_CACHE_HOME, and dotenv
// quoting of values no single kind of quote can hold, read back by Node's parser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEnv } from 'node:util';
import fc from 'fast-check';
import { formatVariables } from '../../src/cli/env-formats.ts';
import { cacheFolder } from '../../src/cli/token-cache.ts';
import { ActionError } from '../../src/errors.ts';

describe('cacheFolder', () => {
  it('is %LOCALAPPDATA%\\gemini-auth on Windows, $XDG_CACHE_HOME/gemini-auth elsewhere, ~/.cache when XDG_CACHE_HOME is relative', () => {
    assert.equal(cacheFolder('', { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local', HOME: '/unused' }, 'win32').replaceAll('\\', '/'), 'C:/Users/ada/AppData/Local/gemini-auth');
    assert.equal(cacheFolder('', { XDG_CACHE_HOME: '/var/cache/ada', HOME: '/home/ada' }, 'linux'), '/var/cache/ada/gemini-auth');
    assert.equal(cacheFolder('', { XDG_CACHE_HOME: 'relative', HOME: '/home/ada' }, 'linux'), '/home/ada/.cache/gemini-auth');
    assert.equal(cacheFolder('/tmp/mine', { HOME: '/home/ada' }, 'linux'), '/tmp/mine');
  });
});

describe('formatVariables', () => {
  it('dotenv: any value without all three quotes reads back as itself (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (value) => {
        fc.pre(!(value.includes("'") && value.includes('`') && (value.includes('"') || /\\[nr]/.test(value))));
        // Dotenv values are one line; paths never hold a line break.
        fc.pre(!/[\r\n]/.test(value));
        assert.deepEqual(parseEnv(formatVariables('dotenv', [['A', value]])), { A: value });
      }),
    );
  });

  it('dotenv: refuses a value that holds every kind of quote, naming the variable', () => {
    assert.throws(() => formatVariables('dotenv', [['GOOGLE_APPLICATION_CREDENTIALS', `/tmp/'a' \`b\` "c"`]]), (error: unknown) => error instanceof ActionError && /The value of GOOGLE_APPLICATION_CREDENTIALS cannot be written for a dotenv reader/.test(error.message));
  });
});
