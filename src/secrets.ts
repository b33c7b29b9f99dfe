/**
 * Registers a secret with log masking in every form it can reach a log in:
 * the value, each line of a multi-line value (the runner matches line by line),
 * and its JSON-escaped and URL-encoded spellings.
 */
const MIN_LINE_LENGTH = 8;

export function maskSecret(value: string, mask: (form: string) => void): void {
  const forms = new Set<string>();
  const add = (form: string): void => {
    if (form.trim().length >= MIN_LINE_LENGTH || (form === value && form.trim() !== '')) forms.add(form);
  };
  add(value);
  add(value.trim());
  const lines = value.split(/\r?\n/).map((line) => line.trim());
  if (lines.length > 1) {
    // PEM armour lines are public boilerplate; masking them would only garble unrelated logs.
    for (const line of lines) if (!line.startsWith('-----')) add(line);
  }
  add(JSON.stringify(value).slice(1, -1));
  add(encodeURIComponent(value));
  for (const form of forms) mask(form);
}

// Every secret this process has masked, so that text from outside can be redacted
// of it (untrusted.ts): a server that echoes a request, or quotes a token it was
// sent, must not get it into a log line, cut where the runner's mask no longer
// matches it, nor into the job summary, which no mask covers.
const remembered = new Set<string>();
let version = 0;

export function rememberSecret(value: string): void {
  if (value.trim() === '' || remembered.has(value)) return;
  remembered.add(value);
  version++;
}

/** The secrets remembered so far, and a number that changes whenever one is added. */
export function rememberedSecrets(): { readonly secrets: ReadonlySet<string>; readonly version: number } {
  return { secrets: remembered, version };
}
