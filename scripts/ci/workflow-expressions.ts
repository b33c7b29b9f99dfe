// The part of GitHub Actions' expression language that ci.yml's action jobs use:
// `${{ }}` around literals ('text', true, false, null, numbers), context paths
// (env.NAME, steps.ID.outputs.NAME, matrix.NAME, runner.os), ==, !=, &&, || and
// parentheses, with GitHub's semantics: && and || return an operand, == compares
// strings ignoring case. Anything else is refused, so that a workflow and its local
// run cannot drift apart unnoticed.

export type Value = string | number | boolean | null;
export interface Contexts {
  [name: string]: unknown;
}

const TOKEN = /\s*(?:('(?:[^']|'')*')|(==|!=|&&|\|\||\(|\))|([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)|(-?\d+(?:\.\d+)?))/y;

type Token = { kind: 'value'; value: Value } | { kind: 'path'; path: string } | { kind: 'op'; op: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`unsupported expression at "${text.slice(at)}" in: ${text}`);
    const [, string, op, path, number] = match;
    if (string !== undefined) tokens.push({ kind: 'value', value: string.slice(1, -1).replace(/''/g, "'") });
    else if (op !== undefined) tokens.push({ kind: 'op', op });
    else if (number !== undefined) tokens.push({ kind: 'value', value: Number(number) });
    else if (path === 'true' || path === 'false') tokens.push({ kind: 'value', value: path === 'true' });
    else if (path === 'null') tokens.push({ kind: 'value', value: null });
    else tokens.push({ kind: 'path', path: path ?? '' });
  }
  return tokens;
}

export function truthy(value: Value): boolean {
  return !(value === false || value === null || value === '' || value === 0 || Number.isNaN(value));
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

function lookup(path: string, contexts: Contexts): Value {
  const [root = '', ...rest] = path.split('.');
  if (!(root in contexts)) throw new Error(`the context "${root}" is not supported here (in ${path})`);
  let value: unknown = contexts[root];
  for (const key of rest) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null) throw new Error(`${path} is an object, not a value`);
  return value as Value;
}

/** Evaluates one expression (the text inside `${{ }}`). */
export function evaluate(text: string, contexts: Contexts): Value {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (op: string): boolean => {
    const token = tokens[at];
    return token?.kind === 'op' && token.op === op;
  };
  const primary = (): Value => {
    const token = tokens[at++];
    if (!token) throw new Error(`unexpected end of expression: ${text}`);
    if (token.kind === 'value') return token.value;
    if (token.kind === 'path') return lookup(token.path, contexts);
    if (token.op === '(') {
      const value = or();
      if (!peek(')')) throw new Error(`missing ) in: ${text}`);
      at++;
      return value;
    }
    throw new Error(`unexpected ${token.op} in: ${text}`);
  };
  const comparison = (): Value => {
    const left = primary();
    if (peek('==') || peek('!=')) {
      const negate = peek('!=');
      at++;
      return equal(left, primary()) !== negate;
    }
    return left;
  };
  const and = (): Value => {
    let value = comparison();
    while (peek('&&')) {
      at++;
      const right = comparison();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const or = (): Value => {
    let value = and();
    while (peek('||')) {
      at++;
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`unexpected text after the expression: ${text}`);
  return value;
}

/** A string with `${{ }}` parts replaced by their values, as the runner does for `with:` and `env:`. */
export function interpolate(text: string, contexts: Contexts): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, inner: string) => {
    const value = evaluate(inner, contexts);
    return value === null ? '' : String(value);
  });
}

/** An `if:` condition, with or without `${{ }}`. */
export function condition(text: string, contexts: Contexts): boolean {
  const inner = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(text)?.[1] ?? text;
  return truthy(evaluate(inner, contexts));
}
