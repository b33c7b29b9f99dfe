// Text that did not come from this code: what servers answer (model names, tokeninfo,
// error messages, URLs they offer), OIDC claims (branch and repository names, chosen by
// whoever pushes), what libraries quote of them, and inputs quoted back in errors. It is
// data, never commands, and every such string passes through `untrusted` where it is
// read, before any log line, annotation, summary cell, error message or output sees it.
//
// Why escaping and not `::stop-commands::TOKEN` around each block: the runner reads a
// workflow command only at the start of a line, so text without line breaks cannot
// start one, wherever it is printed, and needs no state. Stop-commands would cover only
// stdout between two lines we write, not annotations, the summary, outputs or stderr; it
// would leave ANSI escapes and carriage returns to rewrite what the log shows; and while
// it is on, the runner ignores our own `::add-mask::` lines too, the very failure a
// hostile OIDC claim caused.
import { rememberedSecrets } from './secrets.ts';

/** How much of a long answer is even looked at: bounds the work on hostile text. */
const READ_AT_MOST = 16 * 1024;
/** Fragments of a secret at least this long are redacted wherever they appear. */
const SECRET_FRAGMENT = 8;

// ANSI escape sequences (CSI, OSC, and two-character ones), whole, then any single
// control character: C0 and C1 (\p{Cc}, with DEL and NEL), lone surrogates, the Unicode
// line and paragraph separators, and the bidirectional overrides that hide or reorder text.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/gu;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const LINE_BREAKS = /[\n\r\u000b\u000c\u0085\u2028\u2029]+/gu;
const CONTROL = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * `text` made safe to print anywhere: no control character, line break or ANSI
 * escape (a run of line breaks becomes one space), no remembered secret nor any
 * fragment of one of `SECRET_FRAGMENT` characters or more (replaced by
 * `[redacted]`), and at most `limit` characters. Changed text says so: a cut ends
 * in `…`, and a note such as `[12 characters removed]` follows.
 */
export function untrusted(text: string, limit = 200): string {
  let removed = Math.max(0, text.length - READ_AT_MOST);
  const { text: clean, removed: controls } = withoutControls(text.slice(0, READ_AT_MOST));
  removed += controls;
  const characters = Array.from(redactSecrets(clean));
  const cut = characters.length > limit;
  if (cut) removed += characters.length - limit;
  const kept = cut ? `${characters.slice(0, limit).join('')}…` : characters.join('');
  return removed > 0 ? `${kept} [${removed} character${removed === 1 ? '' : 's'} removed]` : kept;
}

/** Removes escape sequences and controls; line breaks become a space. */
function withoutControls(text: string): { text: string; removed: number } {
  let removed = 0;
  const replace = (pattern: RegExp, replacement: string, value: string): string =>
    value.replace(pattern, (match) => {
      removed += match.length;
      return replacement;
    });
  const clean = replace(CONTROL, '', replace(LINE_BREAKS, ' ', replace(ESCAPE_SEQUENCE, '', text)));
  return { text: clean, removed };
}

/**
 * A line for the log that cannot start a workflow command, for the shells' Log:
 * defence in depth behind `untrusted`, which every outside string has already
 * passed. Line breaks become spaces, controls go, and a leading `::` is broken.
 */
export function logLine(line: string): string {
  return withoutControls(line).text.replace(/^(\s*):(?=:)/u, '$1: ');
}

// What to redact, built up as secrets are remembered: each secret is spelled out once.
const whole = new Set<string>();
const pieces = new Set<string>();
const spelledOut = new Set<string>();
let wholeLongestFirst: string[] = [];
let builtFor = -1;

function redactionTables(): { whole: readonly string[]; pieces: ReadonlySet<string> } {
  const { secrets, version } = rememberedSecrets();
  if (builtFor !== version) {
    for (const secret of secrets) if (!spelledOut.has(secret)) spellOut(secret);
    wholeLongestFirst = [...whole].sort((a, b) => b.length - a.length);
    builtFor = version;
  }
  return { whole: wholeLongestFirst, pieces };
}

function spellOut(secret: string): void {
  spelledOut.add(secret);
  // A multi-line secret (a PEM key) is echoed line by line as often as whole; its armour lines are public.
  const lines = secret.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length >= SECRET_FRAGMENT && !line.startsWith('-----'));
  for (const part of new Set([secret, ...lines])) {
    // As a server may echo it: as sent in a form or JSON body, or re-encoded.
    const encoded = encodeURIComponent(part);
    for (const spelling of [part, JSON.stringify(part).slice(1, -1), encoded, new URLSearchParams({ v: part }).toString().slice(2), Buffer.from(part).toString('base64'), Buffer.from(part).toString('base64url')]) {
      if (spelling.length >= SECRET_FRAGMENT) whole.add(spelling);
    }
    // Pieces only of secrets that are one word (a token, a key's line): the pieces of a raw JSON input are field names and public ids.
    // A one-word secret is sent as it is in JSON, and in a form as it is URL-encoded.
    if (!/^[^\s"{}\\]+$/u.test(part)) continue;
    for (const spelling of new Set([part, encoded])) {
      for (let at = 0; at + SECRET_FRAGMENT <= spelling.length; at++) pieces.add(spelling.slice(at, at + SECRET_FRAGMENT));
    }
  }
}

/** `text` with every remembered secret, whole or in fragments, replaced by `[redacted]`. */
function redactSecrets(text: string): string {
  const { whole, pieces } = redactionTables();
  if (whole.length === 0) return text;
  const covered = new Uint8Array(text.length);
  for (const spelling of whole) {
    for (let at = text.indexOf(spelling); at >= 0; at = text.indexOf(spelling, at + 1)) covered.fill(1, at, at + spelling.length);
  }
  for (let at = 0; at + SECRET_FRAGMENT <= text.length; at++) {
    if (pieces.has(text.slice(at, at + SECRET_FRAGMENT))) covered.fill(1, at, at + SECRET_FRAGMENT);
  }
  if (!covered.includes(1)) return text;
  let result = '';
  for (let at = 0; at < text.length; ) {
    if (covered[at]) {
      result += '[redacted]';
      while (covered[at]) at++;
    } else {
      result += text[at];
      at++;
    }
  }
  return result;
}

/**
 * What a value from outside must look like to become an output or a variable for
 * later steps (where a shell may expand it): one row per kind.
 */
const SHAPES = {
  /** A Gemini API model name. */
  model: /^models\/[A-Za-z0-9._-]+$/u,
  /** A Google model on Vertex AI, as publishers.models.get names it (a version may follow @). */
  vertexModel: /^publishers\/google\/models\/[A-Za-z0-9._@-]+$/u,
  /** Who a token acts as: an email, or an OIDC subject or principal identifier of characters no shell treats specially. */
  principal: /^[A-Za-z0-9._:/@+=,-]+$/u,
  /** A project ID, a legacy domain-scoped one (example.com:project), or a project number. */
  project: /^(?:(?:[a-z0-9][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20})$/u,
  /** A name in a credentials file that becomes a header or a variable (a project there): characters no header or shell treats specially. */
  identifier: /^[A-Za-z0-9][A-Za-z0-9._:-]*$/u,
} as const;

export type ValueKind = keyof typeof SHAPES;

/** No value of any kind is longer; anything longer is not what it claims to be. */
const LONGEST_VALUE = 256;

export function hasShape(kind: ValueKind, value: string): boolean {
  return value.length <= LONGEST_VALUE && SHAPES[kind].test(value);
}
