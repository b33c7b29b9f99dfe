// Answers are input too: whatever shape a server (or something posing as one)
// sends, the parsers give a value or a clear error, never an exception.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ActionError } from '../../src/errors.ts';
import { describeClaims } from '../../src/credentials/subject-token.ts';
import { explainApiError, readGoogleError, summarize } from '../../src/google/errors.ts';
import { GENERATIVE_LANGUAGE } from '../../src/google/gemini.ts';
import { VERTEX_AI } from '../../src/google/vertex.ts';
import { parseRetryAfter } from '../../src/google/http.ts';
import { readOAuthToken } from '../../src/google/protocol.ts';
import type { Log } from '../../src/log.ts';
import { decodeJwtClaims } from '../../src/token.ts';

/** A log that keeps what is masked. */
function maskingInto(masked: string[]): Log {
  return { mask: (secret) => masked.push(secret), info: () => {}, debug: () => {}, warn: () => {} };
}

/** The answer as the protocol layer hands it on: an object, or nothing in it. */
function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Bodies shaped like Google's answers, broken at any level, and anything at all. */
const body = fc.oneof(
  fc.anything(),
  fc.record({ error: fc.anything(), error_description: fc.anything() }, { requiredKeys: [] }),
  fc.record({ error: fc.record({ code: fc.anything(), message: fc.anything(), status: fc.anything(), details: fc.oneof(fc.anything(), fc.array(fc.record({ reason: fc.anything(), metadata: fc.anything(), links: fc.anything() }, { requiredKeys: [] }))) }, { requiredKeys: [] }) }),
  fc.record({ access_token: fc.anything(), expires_in: fc.anything(), scope: fc.anything(), id_token: fc.anything() }, { requiredKeys: [] }),
);
const status = fc.integer({ min: 100, max: 599 });

describe('parsers of answers (fuzzed)', () => {
  it('read any error answer into a bounded summary and a clear ActionError (property)', () => {
    fc.assert(
      fc.property(status, body, fc.constantFrom(GENERATIVE_LANGUAGE, VERTEX_AI), (code, value, api) => {
        const summary = summarize(readGoogleError({ status: code, body: value }));
        assert.ok(summary.startsWith(`HTTP ${code}`) && summary.length < 1500, summary.slice(0, 100));
        const error = explainApiError(readGoogleError({ status: code, body: value }), { call: 'The API', api, authType: 'authorized_user', quotaProjectId: undefined });
        assert.ok(error instanceof ActionError && error.fix);
      }),
      { numRuns: 1000 },
    );
  });

  it('read any token answer into a masked token with a real expiry, or a clear error (property)', () => {
    fc.assert(
      fc.property(body, (value) => {
        const masked: string[] = [];
        try {
          const token = readOAuthToken(asObject(value), 'The token endpoint', maskingInto(masked));
          assert.ok(masked.includes(token.accessToken), 'the token is masked');
          assert.ok(token.expiresAt.getTime() > Date.now(), 'the expiry is a date in the future');
        } catch (error) {
          assert.ok(error instanceof ActionError && error.fix, `unexpected ${String(error)}`);
          assert.match(error.message, /answered without an access token/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('take a lifetime under one second for no lifetime at all (found by the property above)', () => {
    const token = readOAuthToken({ access_token: 'ya29.x', expires_in: 5e-324 }, 'The token endpoint', maskingInto([]));
    assert.ok(token.expiresAt.getTime() > Date.now() + 3500_000);
  });

  it('read the claims of any token-like text without throwing (property)', () => {
    const segment = fc.oneof(fc.string({ maxLength: 30 }), fc.json().map((text) => Buffer.from(text).toString('base64url')));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'))), (jwt) => {
        assert.equal(typeof decodeJwtClaims(jwt), 'object');
        assert.equal(typeof describeClaims(jwt), 'string');
      }),
      { numRuns: 1000 },
    );
  });

  it('read any Retry-After as a wait of zero or more milliseconds, or none (property)', () => {
    assert.equal(parseRetryAfter('7'), 7000);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.ok((parseRetryAfter(new Date(Date.now() + 60_000).toUTCString()) ?? 0) > 50_000);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.nat().map(String), fc.date({ noInvalidDate: true }).map((date) => date.toUTCString())), (text) => {
        const wait = parseRetryAfter(text);
        assert.ok(wait === undefined || (Number.isFinite(wait) && wait >= 0), `${text} -> ${wait}`);
      }),
      { numRuns: 1000 },
    );
  });
});
