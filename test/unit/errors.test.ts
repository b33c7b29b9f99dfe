import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActionError, failureMessage } from '../../src/errors.ts';

describe('failureMessage', () => {
  it('is the cause, then the fix, for an ActionError', () => {
    assert.equal(failureMessage(new ActionError('The input retries must be a whole number.', 'Set retries: 3.')), 'The input retries must be a whole number. Fix: Set retries: 3.');
  });

  it('names a fix for an unexpected error too, on one line, without its stack or anything it quotes of a body', () => {
    const error = new TypeError('Cannot read properties of undefined (reading \'split\')\n    at resolveEndpoints (file:///home/runner/work/_actions/index.js:1:2)');
    const line = failureMessage(error);
    assert.match(line, /^gemini-auth failed unexpectedly \(TypeError: Cannot read properties of undefined \(reading 'split'\) {5}at resolveEndpoints .*\)\. Fix: Please report it at https:\/\/github\.com\/gemini-auth\/gemini-auth\/issues with the step's log\.$/);
    assert.doesNotMatch(line, /\n/);
  });
});
