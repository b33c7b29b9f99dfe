/**
 * Text from outside (a credentials file, a library's error, a server) made
 * safe to print as part of one line: every control character, line breaks
 * among them, becomes a space, and the text is cut to `max` characters. A
 * line break in a log line could start a workflow command of its own.
 */
export function oneLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
