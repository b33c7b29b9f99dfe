// Text from outside, made safe to print: fuzzed, and the cases the hostile-server
// suite (test/e2e/hostile-server.test.ts) shows through the built action.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { rememberSecret } from '../../src/secrets.ts';
import { hasShape, logLine, untrusted } from '../../src/untrusted.ts';

/** Controls, line breaks, lone surrogates and bidirectional overrides: nothing of it may come out. */
const UNSAFE = /[\p{Cc}\p{Cs}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.constantFrom('\n', '\r', '\u001b[31m', '\u001b]8;;https://x\u0007', '\u0085', '\u2028', '\u202e', '::warning::', '::stop-commands::x', 'ok', '\ud800', '|', '<script>'), { maxLength: 40 }).map((parts) => parts.join('')),
);

describe('untrusted', () => {
  it('gives text with no control character, line break, escape or bidi override, within the limit and a note (property)', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 1, max: 400 }), (text, limit) => {
        const safe = untrusted(text, limit);
        assert.ok(!UNSAFE.test(safe), JSON.stringify(safe));
        const note = / \[\d+ characters? removed\]$/.exec(safe)?.[0] ?? '';
        assert.ok(Array.from(safe.slice(0, safe.length - note.length)).length <= limit + 1, 'the limit, and the … of a cut');
        if (!UNSAFE.test(text) && !text.includes('\u001b') && Array.from(text).length <= limit) assert.equal(safe, text, 'clean text passes as it is');
        else assert.ok(note !== '', 'changed text says so');
      }),
      { numRuns: 2000 },
    );
  });

  it('turns line breaks into a space, drops escape sequences whole, and says how much it removed', () => {
    assert.equal(untrusted('models/x\n::warning::INJECTED'), 'models/x ::warning::INJECTED [1 character removed]');
    assert.equal(untrusted('a\r\n\r\nb'), 'a b [4 characters removed]');
    assert.equal(untrusted('\u001b[2K\u001b[1Gred\u001b[0m'), 'red [12 characters removed]');
    assert.equal(untrusted('\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007'), 'link [33 characters removed]');
    assert.equal(untrusted('x'.repeat(30), 10), `${'x'.repeat(10)}… [20 characters removed]`);
    assert.equal(untrusted('plain text'), 'plain text');
  });

  it('redacts every remembered secret, whole or in pieces of 8 characters or more, as sent in a form or JSON, before it cuts', () => {
    const secret = '1//0gRefreshTokenForTheRedactionTest-abcdefghij';
    rememberSecret(secret);
    assert.equal(untrusted(`refresh_token=${encodeURIComponent(secret)}&x=1`), 'refresh_token=[redacted]&x=1');
    assert.equal(untrusted(`{"refresh_token":"${secret}"}`), '{"refresh_token":"[redacted]"}');
    assert.equal(untrusted(`starts ${secret.slice(0, 20)}`), 'starts [redacted]');
    assert.equal(untrusted(`ends ${secret.slice(-9)}.`), 'ends [redacted].');
    assert.equal(untrusted(`${'x'.repeat(35)}${secret}`, 40), `${'x'.repeat(35)}[reda… [5 characters removed]`, 'no piece survives the cut');
    assert.equal(untrusted(`control ${secret.slice(0, 10)}\u0000${secret.slice(10)}`), 'control [redacted] [1 character removed]', 'a control character inside it does not hide it');
    assert.equal(untrusted('0gRefre'), '0gRefre', 'pieces shorter than 8 characters stay');
  });

  it('redacts a raw JSON input whole but not its pieces, which are field names and public ids', () => {
    const raw = '{"type":"authorized_user","client_id":"1234-abc.apps.googleusercontent.com","refresh_token":"1//0gAnotherTokenOfThisTest"}';
    rememberSecret(raw);
    assert.equal(untrusted(`echo ${raw}`), 'echo [redacted]');
    assert.equal(untrusted('type "authorized_user" at apps.googleusercontent.com'), 'type "authorized_user" at apps.googleusercontent.com');
  });
});

describe('logLine', () => {
  it('never gives a line that starts a workflow command, nor more than one line (property)', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const line = logLine(text);
        assert.ok(!/[\r\n\u2028\u2029\u0085]/.test(line));
        assert.ok(!line.trimStart().startsWith('::'), JSON.stringify(line));
      }),
      { numRuns: 2000 },
    );
    assert.equal(logLine('Auth type: authorized_user'), 'Auth type: authorized_user', 'lines of our own pass as they are');
  });
});

describe('hasShape', () => {
  it('takes only values of their kind for outputs and variables', () => {
    const cases: [Parameters<typeof hasShape>[0], string[], string[]][] = [
      ['model', ['models/gemini-2.5-flash', 'models/text-embedding-004'], ['models/x y', 'models/', 'tunedModels/x', 'models/x\n', 'models/$(id)', `models/${'a'.repeat(300)}`]],
      ['principal', ['dev@example.com', 'repo:octo-org/octo-repo:ref:refs/heads/main', 'sa@p.iam.gserviceaccount.com'], ['', 'a b', "o'brien@example.com", 'x;id', 'x [1 character removed]']],
      ['project', ['my-project', 'gemini-project', 'example.com:my-project', '123456789012'], ['p', 'My Project', 'my-project\r\nx', 'projekt-€', '-my-project', 'my-project-']],
    ];
    for (const [kind, good, bad] of cases) {
      for (const value of good) assert.equal(hasShape(kind, value), true, `${kind} ${value}`);
      for (const value of bad) assert.equal(hasShape(kind, value), false, `${kind} ${JSON.stringify(value)}`);
    }
  });
});
