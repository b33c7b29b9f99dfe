// A CI step's second half: `gemini-auth-token | node scripts/ci/check-token.ts`, from
// bash, pwsh or cmd. Checks that the command printed one access token alone on its
// line and that the fake accepts it (tokeninfo), without printing the token.
import { text } from 'node:stream/consumers';

const oauth2 = process.env['FAKE_GOOGLE_OAUTH2_URL'];
if (!oauth2) throw new Error('FAKE_GOOGLE_OAUTH2_URL is not set: start the fake first (node scripts/ci/start-fake-google.ts)');
const printed = await text(process.stdin);
const lines = printed.split(/\r?\n/).filter((line) => line !== '');
if (lines.length !== 1 || !/^\S+$/.test(lines[0] ?? '')) {
  console.error(`::error::gemini-auth-token printed ${lines.length} lines; expected the token alone on one line.`);
  process.exit(1);
}
const answer = await fetch(`${oauth2}/tokeninfo`, { method: 'POST', body: new URLSearchParams({ access_token: lines[0] ?? '' }) });
const info = (await answer.json()) as { expires_in?: string; scope?: string };
if (answer.status !== 200) {
  console.error(`::error::The token gemini-auth-token printed is not valid at the fake (tokeninfo answered HTTP ${answer.status}).`);
  process.exit(1);
}
console.log(`gemini-auth-token printed a valid token: ${info.expires_in ?? '?'} s left, scopes ${info.scope ?? '?'}.`);
