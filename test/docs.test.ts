// Keeps the documentation true to the action: README's tables match action.yml,
// every workflow in README, docs/ and examples/ uses only inputs and outputs that
// exist and a tag that the release workflow makes, the examples are quoted as they
// are, every error message the action can print has an entry in
// docs/troubleshooting.md, every link between the documents leads somewhere, the
// command line's examples (examples/ci/) call only commands, options and variables
// it has, and the release machinery finds its notes.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parse, parseDocument } from 'yaml';
import { releaseNotes } from '../scripts/release-notes.ts';
import { COMMANDS, OPTIONS, takes, variableOf, type Command, type OptionName } from '../src/cli/options.ts';
import { CASES, laterStepsMarkdown, laterStepsTable, type Case } from './clients/cases.ts';
import type { Expectation } from './clients/later-steps.ts';
import { CLIENTS } from './clients/run-client.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** How users refer to the published action, at a tag; `./` is the same action inside this repository. */
const PUBLISHED_NAME = 'gemini-auth/gemini-auth';

interface ActionYml {
  name?: string;
  description?: string;
  author?: string;
  branding?: { icon?: string; color?: string };
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
}

const action = parse(read('action.yml')) as ActionYml;
const readme = read('README.md');
const troubleshooting = read('docs/troubleshooting.md');
const changelog = read('CHANGELOG.md');
const packageVersion = (JSON.parse(read('package.json')) as { version: string }).version;

/** Files under `dir` (recursively) whose names end in one of `extensions`, as paths from the root. */
function filesUnder(dir: string, extensions: readonly string[]): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name), extensions) : extensions.some((extension) => entry.name.endsWith(extension)) ? [join(dir, entry.name)] : [],
  );
}

/** The Markdown that users read: README.md and docs/. */
const userDocs: [string, string][] = [['README.md', readme], ...filesUnder('docs', ['.md']).map((path): [string, string] => [path, read(path)])];
/** Every Markdown file of the project whose links must lead somewhere. */
const allDocs: [string, string][] = [...userDocs, ...['CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md'].map((path): [string, string] => [path, read(path)])];

// ---------------------------------------------------------------------------
// Markdown helpers

/** The text under `## title` up to the next heading of level 2 or 1 (a `#` comment in a code block is none). */
function section(markdown: string, title: string, file = 'README.md'): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line === `## ${title}`);
  assert.ok(start >= 0, `${file} has no section "## ${title}"`);
  let fenced = false;
  const end = lines.findIndex((line, index) => {
    if (/^ *```/.test(line)) fenced = !fenced;
    return index > start && !fenced && /^#{1,2} /.test(line);
  });
  return lines.slice(start + 1, end < 0 ? lines.length : end).join('\n');
}

/** The rows of the first table in `text`, as trimmed cells, header and separator left out. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  assert.ok(first >= 0, 'no table found');
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((cell) => cell.trim()));
  }
  return rows;
}

/** `` `name` `` → `name`; anything else as it is. */
function unquote(cell: string): string {
  const match = /^`([^`]*)`$/.exec(cell);
  return match ? (match[1] ?? '') : cell;
}

interface CodeBlock {
  language: string;
  content: string;
  line: number;
  /** The `examples/…` file named by a `<!-- example: … -->` line just above the fence. */
  quotes: string | undefined;
}

function codeBlocks(markdown: string, file = 'README.md'): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    // Blocks inside list items are indented; their content is, by as much.
    const open = /^( *)```(\S*)\s*$/.exec(lines[index] ?? '');
    if (!open) continue;
    const indent = open[1] ?? '';
    const close = lines.findIndex((line, at) => at > index && line === `${indent}\`\`\``);
    assert.ok(close > index, `${file}:${index + 1}: code block is not closed`);
    const marker = /^<!-- example: (\S+) -->$/.exec(lines[index - 1] ?? '');
    const content = lines.slice(index + 1, close).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line));
    blocks.push({ language: open[2] ?? '', content: `${content.join('\n')}\n`, line: index + 1, quotes: marker?.[1] });
    index = close;
  }
  return blocks;
}

/** Markdown without its code blocks and comments: what is left is prose, headings and links. */
function prose(markdown: string): string {
  return markdown.replace(/^( *)```[^\n]*\n[\s\S]*?^\1```$/gm, '').replace(/<!--[\s\S]*?-->/g, '');
}

/** The anchors GitHub gives the headings of a Markdown file: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  return [...prose(markdown).matchAll(/^#{1,6} +(.+?) *$/gm)].map(([, heading]) => {
    const text = (heading ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count ? `${base}-${count}` : base;
  });
}

/** The target of every Markdown link `[text](target)` outside code. */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map(([, target]) => target ?? '');
}

const yamlBlocks = userDocs.flatMap(([file, text]) =>
  codeBlocks(text, file)
    .filter((block) => block.language === 'yaml' || block.language === 'yml')
    .map((block) => ({ ...block, file })),
);
const exampleFiles = readdirSync(join(ROOT, 'examples'))
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => `examples/${name}`);
/** The command line's examples for other CI systems and laptops: any file, `.gitlab-ci.yml` included. */
const ciExampleFiles = readdirSync(join(ROOT, 'examples', 'ci')).map((name) => `examples/ci/${name}`);
const workflowFiles = readdirSync(join(ROOT, '.github', 'workflows'))
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => `.github/workflows/${name}`);

/** Every YAML text the docs show or ship, by where it is. */
const yamlSources: [string, string][] = [
  ...yamlBlocks.map((block): [string, string] => [`${block.file}:${block.line}`, block.content]),
  ...[...exampleFiles, ...workflowFiles].map((path): [string, string] => [path, read(path)]),
];

// ---------------------------------------------------------------------------
// Workflow helpers

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function* objects(value: Json): Generator<JsonObject> {
  if (Array.isArray(value)) for (const item of value) yield* objects(item);
  else if (isObject(value)) {
    yield value;
    for (const item of Object.values(value)) yield* objects(item);
  }
}

function* strings(value: Json): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (isObject(value)) for (const [key, item] of Object.entries(value)) yield* [key, ...strings(item)];
}

function isGeminiAuth(step: JsonObject): boolean {
  return typeof step.uses === 'string' && (step.uses === './' || /^[^/]+\/gemini-auth@/.test(step.uses));
}

/** The release workflow's tag filter (GitHub's filter syntax) as a regular expression. */
function tagFilter(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*\*/g, '.*').replace(/(?<!\.)\*/g, '[^/]*')}$`);
}

const releaseWorkflow = parse(read('.github/workflows/release.yml')) as JsonObject;
const pushedTags = ((releaseWorkflow.on as JsonObject | undefined)?.push as JsonObject | undefined)?.tags;
const releaseTags = (Array.isArray(pushedTags) ? pushedTags : []).map((pattern) => tagFilter(String(pattern)));
/** Versions that have a release: the one package.json names (released when its tag is pushed) and every one of CHANGELOG.md. */
const releasedVersions = new Set([packageVersion, ...[...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\]/gm)].map(([, version]) => version ?? '')]);
const MAJOR_TAG = `v${packageVersion.split('.')[0]}`;

/** Why `ref` is not a tag that users can rely on, or undefined: the moving major tag, or the tag of a released version of this major. */
function tagProblem(ref: string): string | undefined {
  if (ref === MAJOR_TAG) return undefined;
  const version = ref.replace(/^v/, '');
  if (!releaseTags.some((filter) => filter.test(ref))) return `@${ref} is no tag the release workflow makes: write @${MAJOR_TAG} (it follows the newest ${MAJOR_TAG}.x.y) or a full @${MAJOR_TAG}.x.y`;
  if (!ref.startsWith(`${MAJOR_TAG}.`)) return `@${ref} is not of the current major version ${MAJOR_TAG}`;
  if (!releasedVersions.has(version)) return `@${ref} names a version that package.json and CHANGELOG.md do not have`;
  return undefined;
}

const BOOLEAN_INPUTS = Object.entries(action.inputs)
  .filter(([, input]) => input.default === 'true' || input.default === 'false')
  .map(([name]) => name);
const SECRET_INPUTS = ['credentials_json', 'cache_encryption_key'];
const EXPRESSION = /^\$\{\{.*\}\}$/s;
/** The step that starts the loopback fake of Google in a CI job (scripts/ci/start-fake-google.ts). */
const STARTS_FAKE = /\bscripts\/ci\/start-fake-google\.ts\b/;

/** An expression that takes credentials only from what the fake's start step exported (FAKE_GOOGLE_*), and no secret. */
function fromFake(text: string): boolean {
  return EXPRESSION.test(text) && !/\bsecrets\./.test(text) && [...text.matchAll(/\benv\.(\w+)/g)].every(([, name]) => name?.startsWith('FAKE_GOOGLE_')) && /\benv\.FAKE_GOOGLE_/.test(text);
}

/** What is wrong with the gemini-auth steps of one YAML document; empty when nothing is. */
function workflowProblems(document: Json): string[] {
  const problems: string[] = [];
  const steps = [...objects(document)].filter((object) => typeof object.uses === 'string' || typeof object.run === 'string');
  // CI jobs that run gemini-auth against the loopback fake take its credentials from the fake, not from secrets.
  const jobs = isObject(document) && isObject(document.jobs) ? Object.entries(document.jobs).filter((entry): entry is [string, JsonObject] => isObject(entry[1])) : [];
  const fakeJobs = new Set(jobs.filter(([, job]) => [...objects(job)].some((step) => typeof step.run === 'string' && STARTS_FAKE.test(step.run))).map(([name]) => name));
  const inFakeJob = new Set(jobs.filter(([name]) => fakeJobs.has(name)).flatMap(([, job]) => [...objects(job)]));
  const ids = new Set(steps.map((step) => step.id).filter((id): id is string => typeof id === 'string'));
  const ourIds = new Set(steps.filter(isGeminiAuth).map((step) => step.id).filter((id): id is string => typeof id === 'string'));

  for (const step of steps.filter(isGeminiAuth)) {
    const uses = String(step.uses);
    if (uses !== './') {
      const [name, ref = ''] = uses.split('@');
      const problem = name === PUBLISHED_NAME ? tagProblem(ref) : `write ${PUBLISHED_NAME}@${MAJOR_TAG}`;
      if (problem) problems.push(`uses: ${uses}: ${problem}`);
    }
    const inputs = step.with ?? {};
    if (!isObject(inputs)) {
      problems.push('with: is not a mapping');
      continue;
    }
    for (const [name, value] of Object.entries(inputs)) {
      if (!(name in action.inputs)) {
        problems.push(`input ${name} is not declared in action.yml`);
        continue;
      }
      const text = String(value);
      if (BOOLEAN_INPUTS.includes(name) && !EXPRESSION.test(text) && text !== 'true' && text !== 'false') problems.push(`input ${name}: "${text}" is not true or false`);
      const fromSecret = /^\$\{\{\s*secrets\.\w+\s*\}\}$/.test(text) || (inFakeJob.has(step) && fromFake(text));
      if (SECRET_INPUTS.includes(name) && !fromSecret) problems.push(`input ${name} must come from \${{ secrets.NAME }}, never be written out`);
    }
  }

  for (const text of strings(document)) {
    for (const [, id, output] of text.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (!ids.has(id ?? '')) problems.push(`steps.${id}.outputs.${output}: there is no step with id ${id}`);
      else if (ourIds.has(id ?? '') && !((output ?? '') in action.outputs)) problems.push(`steps.${id}.outputs.${output}: action.yml declares no output ${output}`);
    }
  }

  // Workload identity needs the job's OIDC token; a job's own permissions replace the workflow's.
  // Against the fake it must not ask for one: the runner would then set its own
  // ACTIONS_ID_TOKEN_REQUEST_URL for every step, over the fake's from $GITHUB_ENV.
  for (const [name, job] of jobs) {
    const federated = [...objects(job)].some((step) => isGeminiAuth(step) && isObject(step.with) && step.with.workload_identity_provider !== undefined);
    const permissions = job.permissions ?? (isObject(document) ? document.permissions : undefined);
    const idToken = isObject(permissions) && permissions['id-token'] === 'write';
    if (federated && fakeJobs.has(name) && idToken) problems.push(`job ${name} runs gemini-auth against the loopback fake with id-token: write, which hides the fake's OIDC token service`);
    if (federated && !fakeJobs.has(name) && !idToken) problems.push(`job ${name} uses workload_identity_provider without permissions id-token: write`);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// The error messages of src/, read from the source

/** A message template: literal text, and null where a value is put in at run time. */
type Piece = { text: string; fixed: boolean } | null;

interface ErrorMessage {
  where: string;
  /** A readable form of the start of the message, `…` for the values. */
  shown: string;
  /** Matches a quotation of that start in which each value may be written any way (a placeholder). */
  pattern: RegExp;
}

/** The top-level string constants of a source file, by name. */
function ownConstants(source: ts.SourceFile): Map<string, string> {
  const constants = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.initializer && ts.isStringLiteralLike(declaration.initializer)) constants.set(declaration.name.text, declaration.initializer.text);
    }
  }
  return constants;
}

/** A file's own constants and those it imports by name from other files of src/, so that a message reads the same wherever its constants live. */
function constantsOf(file: string, sources: ReadonlyMap<string, ts.SourceFile>): Map<string, string> {
  const source = sources.get(file);
  const constants = source ? ownConstants(source) : new Map<string, string>();
  for (const statement of source?.statements ?? []) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = sources.get(join(dirname(file), statement.moduleSpecifier.text));
    const bindings = statement.importClause?.namedBindings;
    if (!from || !bindings || !ts.isNamedImports(bindings)) continue;
    const exported = ownConstants(from);
    for (const element of bindings.elements) {
      const value = exported.get((element.propertyName ?? element.name).text);
      if (value !== undefined) constants.set(element.name.text, value);
    }
  }
  return constants;
}

/** The first argument of every `new ActionError(...)` in src/ (all its folders), each branch of a `?:` on its own. */
function actionErrorMessages(): ErrorMessage[] {
  const messages: ErrorMessage[] = [];
  const sources = new Map(filesUnder('src', ['.ts']).map((file) => [file, ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true)]));
  for (const [file, source] of sources) {
    const constants = constantsOf(file, sources);
    const where = (node: ts.Node): string => `${relative(ROOT, join(ROOT, file))}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const variants = (node: ts.Expression): Piece[][] => {
      if (ts.isParenthesizedExpression(node)) return variants(node.expression);
      if (ts.isStringLiteralLike(node)) return [[{ text: node.text, fixed: false }]];
      if (ts.isConditionalExpression(node)) return [...variants(node.whenTrue), ...variants(node.whenFalse)];
      if (ts.isTemplateExpression(node)) {
        const pieces: Piece[] = [{ text: node.head.text, fixed: false }];
        for (const span of node.templateSpans) {
          const constant = ts.isIdentifier(span.expression) ? constants.get(span.expression.text) : undefined;
          pieces.push(constant === undefined ? null : { text: constant, fixed: true }, { text: span.literal.text, fixed: false });
        }
        return [pieces];
      }
      throw new Error(`${where(node)}: cannot read this ActionError message; write it as a string or template literal`);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && node.expression.getText(source) === 'ActionError' && node.arguments?.[0]) {
        for (const pieces of variants(node.arguments[0])) messages.push(describeStart(pieces, where(node)));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return messages;
}

/** The start of a message: up to its first " (", ": " or "; " (where details follow), without a final period. */
function describeStart(pieces: Piece[], where: string): ErrorMessage {
  const texts: (string | null)[] = [];
  for (const piece of pieces) {
    const cut = piece && !piece.fixed ? piece.text.search(/ \(|: |; /) : -1;
    texts.push(piece === null ? null : cut < 0 ? piece.text : piece.text.slice(0, cut));
    if (cut >= 0) break;
  }
  const blank = (text: string | null | undefined): boolean => text === null || text === undefined || text.trim() === '';
  while (texts.length && blank(texts.at(-1))) texts.pop();
  while (texts.length && blank(texts[0])) texts.shift();
  const parts = texts.map((text, index) => {
    if (text === null) return null;
    const start = index === 0 ? text.trimStart() : text;
    return index === texts.length - 1 ? start.replace(/\.$/, '').trimEnd() : start;
  });
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    where,
    shown: parts.map((text) => text ?? '…').join(''),
    pattern: new RegExp(parts.map((text) => (text === null ? '[^\\n]{0,100}?' : escape(text))).join('')),
  };
}

// ---------------------------------------------------------------------------

/**
 * The icons and colors GitHub's metadata syntax documents for `branding` (Feather 4.28.0, brand
 * icons and a few others left out): https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#branding
 */
const BRANDING_ICONS = new Set(
  `activity airplay alert-circle alert-octagon alert-triangle align-center align-justify align-left align-right anchor aperture archive
  arrow-down-circle arrow-down-left arrow-down-right arrow-down arrow-left-circle arrow-left arrow-right-circle arrow-right arrow-up-circle
  arrow-up-left arrow-up-right arrow-up at-sign award bar-chart-2 bar-chart battery-charging battery bell-off bell bluetooth bold book-open
  book bookmark box briefcase calendar camera-off camera cast check-circle check-square check chevron-down chevron-left chevron-right
  chevron-up chevrons-down chevrons-left chevrons-right chevrons-up circle clipboard clock cloud-drizzle cloud-lightning cloud-off cloud-rain
  cloud-snow cloud code command compass copy corner-down-left corner-down-right corner-left-down corner-left-up corner-right-down
  corner-right-up corner-up-left corner-up-right cpu credit-card crop crosshair database delete disc dollar-sign download-cloud download
  droplet edit-2 edit-3 edit external-link eye-off eye fast-forward feather file-minus file-plus file-text file film filter flag folder-minus
  folder-plus folder gift git-branch git-commit git-merge git-pull-request globe grid hard-drive hash headphones heart help-circle home image
  inbox info italic layers layout life-buoy link-2 link list loader lock log-in log-out mail map-pin map maximize-2 maximize menu
  message-circle message-square mic-off mic minimize-2 minimize minus-circle minus-square minus monitor moon more-horizontal more-vertical
  move music navigation-2 navigation octagon package paperclip pause-circle pause percent phone-call phone-forwarded phone-incoming
  phone-missed phone-off phone-outgoing phone pie-chart play-circle play plus-circle plus-square plus pocket power printer radio refresh-ccw
  refresh-cw repeat rewind rotate-ccw rotate-cw rss save scissors search send server settings share-2 share shield-off shield shopping-bag
  shopping-cart shuffle sidebar skip-back skip-forward slash sliders smartphone speaker square star stop-circle sun sunrise sunset table
  tablet tag target terminal thermometer thumbs-down thumbs-up toggle-left toggle-right trash-2 trash trending-down trending-up triangle
  truck tv type umbrella underline unlock upload-cloud upload user-check user-minus user-plus user-x user users video-off video voicemail
  volume-1 volume-2 volume-x volume watch wifi-off wifi wind x-circle x-square x zap-off zap zoom-in zoom-out`.split(/\s+/),
);
const BRANDING_COLORS = new Set(['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']);

describe('action.yml', () => {
  it('has what the Marketplace lists: name, author, branding, a description of at most 125 characters', () => {
    assert.ok(action.name, 'name');
    assert.ok(action.author, 'author');
    assert.ok(BRANDING_ICONS.has(action.branding?.icon ?? ''), `branding icon "${action.branding?.icon}" is not one GitHub documents (its list leaves out key, tool, hexagon, ...)`);
    assert.ok(BRANDING_COLORS.has(action.branding?.color ?? ''), `branding color "${action.branding?.color}" is not one GitHub documents`);
    assert.ok(action.description, 'description');
    assert.ok(action.description.length <= 125, `description is ${action.description.length} characters`);
  });

  it('describes every input and every output', () => {
    for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.description?.trim(), `input ${name}`);
    for (const [name, output] of Object.entries(action.outputs)) assert.ok(output.description?.trim(), `output ${name}`);
  });
});

describe('README.md', () => {
  it('lists exactly the inputs of action.yml, with the same defaults', () => {
    const rows = tableRows(section(readme, 'Inputs'));
    const listed = new Map(rows.map((cells) => [unquote(cells[0] ?? ''), unquote(cells[1] ?? '')]));
    assert.equal(listed.size, rows.length, 'an input is listed twice');
    assert.deepEqual([...listed.keys()].sort(), Object.keys(action.inputs).sort());
    for (const [name, input] of Object.entries(action.inputs)) assert.equal(listed.get(name), input.default ?? '', `default of ${name}`);
  });

  it('lists exactly the outputs of action.yml', () => {
    const rows = tableRows(section(readme, 'Outputs'));
    assert.deepEqual(rows.map((cells) => unquote(cells[0] ?? '')).sort(), Object.keys(action.outputs).sort());
  });

  it('keeps a short Troubleshooting section that leads to docs/troubleshooting.md', () => {
    const text = section(readme, 'Troubleshooting');
    assert.ok(linkTargets(text).includes('docs/troubleshooting.md'), 'README.md, Troubleshooting links to docs/troubleshooting.md');
    assert.ok(text.split('\n').length <= 25, 'the entries themselves belong in docs/troubleshooting.md');
  });

  it("shows the real-client suite's table of file type × client, as test/clients/cases.ts makes it", () => {
    // The section's code blocks hold `# comment` lines, which section() would take for headings.
    const lines = section(prose(readme), 'Using the token in later steps').split('\n');
    const start = lines.findIndex((line) => line.startsWith('| File the action writes |'));
    assert.ok(start >= 0, 'README.md, "Using the token in later steps" has no table starting "| File the action writes |"');
    const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
    // The whole table, text for text: a changed expectation in test/clients/ fails here until README
    // follows, and the other way round. laterStepsMarkdown() prints the table to paste.
    assert.equal(lines.slice(start, end < 0 ? lines.length : end).join('\n'), laterStepsMarkdown());
  });

  it('are checked for real: the table follows the cases, and names a missing or a disagreeing cell', () => {
    const [first] = CASES;
    assert.ok(first, 'test/clients/cases.ts has cases');
    const others = CASES.filter((testCase) => testCase.row !== first.row);
    const refused: Expectation = { via: 'refused', error: 'no such type' };
    const only = (cells: Case['cells']): Case => ({ ...first, cells });
    const everyClient = Object.fromEntries(CLIENTS.map((client) => [client, refused]));
    const row = laterStepsTable([...others, only(everyClient)]).find((cells) => cells[0] === first.row.label);
    assert.deepEqual(row, [first.row.label, ...CLIENTS.map(() => '❌ refuses it: `no such type`')]);
    const { node: _node, ...withoutNode } = everyClient;
    assert.throws(() => laterStepsTable([...others, only(withoutNode)]), new RegExp(`No case of test/clients/cases\\.ts tests node on the row ${first.row.label}: add one`));
    assert.throws(() => laterStepsTable([...others, only(everyClient), only({ node: { via: 'default', ignores: 'token_uri', requests: [] } })]), /disagree on node \(❌ refuses it: `no such type` \| ✅ Google's endpoint only \(ignores `token_uri`\)\)/);
  });

  it('starts the Development section with the two set-up commands', () => {
    const [first] = codeBlocks(section(readme, 'Development'));
    assert.equal(
      first?.content,
      'npm ci && npm run demo   # runs the action locally against the built-in loopback fake of Google and prints what a workflow would see\n' +
        'npm test                 # builds, then runs every test\n',
    );
  });
});

describe('README.md and docs/', () => {
  it('have YAML code blocks that all parse', () => {
    assert.ok(yamlBlocks.length >= 5, 'README shows workflows');
    for (const block of yamlBlocks) {
      const { errors } = parseDocument(block.content);
      assert.deepEqual(errors.map((error) => error.message), [], `${block.file}:${block.line}`);
    }
  });

  it('quote every example whole, as the file is', () => {
    const quoted = userDocs.flatMap(([file, text]) => codeBlocks(text, file).map((block) => ({ ...block, file }))).filter((block) => block.quotes);
    const examples = [...exampleFiles, ...ciExampleFiles];
    for (const block of quoted) {
      assert.ok(examples.includes(block.quotes ?? ''), `${block.file}:${block.line} quotes ${block.quotes}, which does not exist`);
      assert.equal(block.content, read(block.quotes ?? ''), `${block.file}:${block.line} differs from ${block.quotes}`);
    }
    assert.deepEqual([...new Set(quoted.map((block) => block.quotes))].sort(), examples.sort(), 'every example is quoted');
  });
});

describe('docs/troubleshooting.md', () => {
  it('has an entry for every error message the action can print', () => {
    const messages = actionErrorMessages();
    assert.ok(messages.length >= 50, `found only ${messages.length} ActionError messages in src/`);
    // An entry is a heading that quotes the message; the index's links do not count.
    const entries = [...prose(troubleshooting).matchAll(/^### .*$/gm)].map(([heading]) => heading).join('\n');
    const missing = messages.filter((message) => !message.pattern.test(entries)).map((message) => `${message.where}: ${message.shown}`);
    assert.deepEqual(missing, [], 'quote the start of each of these messages in docs/troubleshooting.md, in a heading of its group, with its cause and fix');
    assert.match(entries, /gemini-auth failed unexpectedly/, 'the message of an unexpected error');
  });

  it('finds error messages wherever they are built: in sub-folders, with constants of other files', () => {
    const messages = actionErrorMessages();
    assert.ok(messages.some((message) => /^src[\\/][^:]+[\\/]/.test(message.where)), 'messages of the folders inside src/ are read');
    // TOKEN_COMMAND comes from another file: the message must read as the user sees it, not with a gap.
    assert.ok(messages.some((message) => message.shown === 'gemini-auth-token was started without its state folder'), 'imported constants are resolved');
  });

  it('gives every entry a cause and a fix', () => {
    const entries = prose(troubleshooting).split(/^### /m).slice(1);
    assert.ok(entries.length >= 50, `only ${entries.length} entries`);
    for (const entry of entries) {
      const heading = entry.split('\n')[0];
      assert.match(entry, /^Cause: /m, `${heading}: no "Cause: " paragraph`);
      assert.match(entry, /^Fix(, either)?:/m, `${heading}: no "Fix: " paragraph`);
    }
  });

  it('has an index with one line per group and per entry, in the order of the page', () => {
    const index = linkTargets(section(troubleshooting, 'Index', 'docs/troubleshooting.md'));
    const headings = headingAnchors(troubleshooting).filter((anchor) => anchor !== 'troubleshooting' && anchor !== 'index');
    assert.deepEqual(index, headings.map((anchor) => `#${anchor}`));
  });
});

describe('links between the documents', () => {
  it('lead to a file that exists and, after #, to one of its headings', () => {
    const anchors = new Map(allDocs.map(([file, text]) => [file, new Set(headingAnchors(text))]));
    const broken: string[] = [];
    for (const [file, text] of allDocs) {
      for (const target of linkTargets(text)) {
        if (/^[a-z]+:/i.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const to = path === '' ? file : join(dirname(file), path);
        if (!existsSync(join(ROOT, to))) broken.push(`${file}: ${target} (no ${to})`);
        else if (anchor !== undefined && to.endsWith('.md') && !(anchors.get(to) ?? new Set(headingAnchors(read(to)))).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor} in ${to})`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('are checked for real: the anchors are GitHub\'s', () => {
    assert.deepEqual(headingAnchors('# A `b_c`: d/e\n## Setting up the OAuth quickstart\'s credentials\n## A `b_c`: d/e\n```\n# not a heading\n```\n'), [
      'a-b_c-de',
      'setting-up-the-oauth-quickstarts-credentials',
      'a-b_c-de-1',
    ]);
  });
});

describe('tags that users write', () => {
  it('every gemini-auth/gemini-auth@REF in the docs, examples and scripts names a tag the release workflow makes', () => {
    const places = [...allDocs.map(([file]) => file), ...filesUnder('examples', ['.yml', '.yaml']), ...filesUnder('scripts', ['.ts'])];
    const problems: string[] = [];
    let count = 0;
    for (const file of places) {
      for (const [, ref] of read(file).matchAll(/\bgemini-auth\/gemini-auth@([\w.-]+)/g)) {
        count++;
        const problem = tagProblem(ref ?? '');
        if (problem) problems.push(`${file}: ${problem}`);
      }
    }
    assert.ok(count >= 10, `found only ${count} references to the action`);
    assert.deepEqual(problems, []);
  });

  it('are checked for real: the major tag and released versions pass, anything else fails', () => {
    assert.equal(tagProblem(MAJOR_TAG), undefined);
    assert.equal(tagProblem(`v${packageVersion}`), undefined);
    assert.match(tagProblem('main') ?? '', /no tag the release workflow makes/);
    assert.match(tagProblem(`${MAJOR_TAG}.0`) ?? '', /no tag the release workflow makes/);
    assert.match(tagProblem(`${MAJOR_TAG}.999.0`) ?? '', /do not have/);
    assert.match(tagProblem('v0.1.0') ?? '', /not of the current major/);
  });
});

describe('workflows in README.md, docs/, examples/ and .github/workflows/', () => {
  it('parse as YAML', () => {
    assert.ok(exampleFiles.length >= 5, 'examples/ has the workflows README quotes');
    for (const [where, text] of yamlSources) {
      const { errors } = parseDocument(text);
      assert.deepEqual(errors.map((error) => error.message), [], where);
    }
  });

  it('give gemini-auth only inputs of action.yml, read only its outputs, and ask for id-token: write with workload identity', () => {
    for (const [where, text] of yamlSources) assert.deepEqual(workflowProblems(parse(text) as Json), [], where);
  });

  it('are checked for real: the check finds each kind of mistake', () => {
    const published = `${PUBLISHED_NAME}@${MAJOR_TAG}`;
    const workflow = (step: string, permissions = 'contents: read'): Json =>
      parse(`permissions:\n  ${permissions}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${step}\n      - run: echo "\${{ steps.auth.outputs.access_token }}"\n`) as Json;
    const step = (lines: string, uses = published): string => `      - id: auth\n        uses: ${uses}\n        with:\n${lines}`;
    assert.deepEqual(workflowProblems(workflow(step('          credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }}'))), []);
    assert.deepEqual(workflowProblems(workflow(step('          credentials: ${{ secrets.GOOGLE_CREDENTIALS }}'))), ['input credentials is not declared in action.yml']);
    assert.deepEqual(workflowProblems(workflow(step('          credentials_json: ${{ secrets.X }}\n          verify: maybe'))), ['input verify: "maybe" is not true or false']);
    assert.match(workflowProblems(workflow(step('          credentials_json: \'{"type": "authorized_user"}\'')))[0] ?? '', /must come from/);
    assert.match(workflowProblems(workflow(step('          workload_identity_provider: projects/1/locations/global/workloadIdentityPools/p/providers/q')))[0] ?? '', /id-token: write/);
    assert.deepEqual(workflowProblems(workflow(step('          workload_identity_provider: projects/1/locations/global/workloadIdentityPools/p/providers/q'), 'id-token: write')), []);
    // A CI job against the loopback fake takes the fake's credentials, and must leave id-token: write out.
    const fake = (input: string, permissions = 'contents: read'): Json =>
      workflow(`      - run: node scripts/ci/start-fake-google.ts\n${step(`          ${input}\n          workload_identity_provider: \${{ env.FAKE_GOOGLE_WORKLOAD_IDENTITY_PROVIDER }}`)}`, permissions);
    assert.deepEqual(workflowProblems(fake("credentials_json: ${{ matrix.user && env.FAKE_GOOGLE_CREDENTIALS_JSON || '' }}")), []);
    assert.match(workflowProblems(fake('credentials_json: ${{ env.GOOGLE_CREDENTIALS }}'))[0] ?? '', /must come from/);
    assert.match(workflowProblems(fake('credentials_json: ${{ env.FAKE_GOOGLE_CREDENTIALS_JSON }}', 'id-token: write'))[0] ?? '', /hides the fake's OIDC/);
    assert.match(workflowProblems(workflow(step('          credentials_json: ${{ env.FAKE_GOOGLE_CREDENTIALS_JSON }}')))[0] ?? '', /must come from/);
    assert.match(workflowProblems(workflow(step('          credentials_json: ${{ secrets.X }}', `${PUBLISHED_NAME}@main`)))[0] ?? '', /no tag the release workflow makes/);
    assert.match(workflowProblems(workflow(step('          credentials_json: ${{ secrets.X }}', `someone/gemini-auth@${MAJOR_TAG}`)))[0] ?? '', /write gemini-auth\/gemini-auth@/);
    const wrongOutput = parse(`steps:\n  - id: auth\n    uses: ${published}\n  - run: echo "\${{ steps.auth.outputs.token }} \${{ steps.other.outputs.x }}"\n`) as Json;
    assert.deepEqual(workflowProblems(wrongOutput), ['steps.auth.outputs.token: action.yml declares no output token', 'steps.other.outputs.x: there is no step with id other']);
  });
});

// ---------------------------------------------------------------------------
// The command line in examples/ci/ and README's "Beyond GitHub Actions"

/** Variables the CLI reads that are no option's: the credentials JSON, and GitLab's id_tokens entry. */
const CLI_VARIABLES = new Set(['GEMINI_AUTH_CREDENTIALS_JSON', 'GEMINI_AUTH_OIDC_TOKEN', ...(Object.keys(OPTIONS) as OptionName[]).map(variableOf)]);

/**
 * What is wrong with the `gemini-auth` command lines of a text (a script, a
 * pipeline, a Jenkinsfile): each names a command of the CLI and only options
 * that command takes, with a value where the option needs one; each
 * GEMINI_AUTH_ variable is one the CLI reads. `gemini-auth@1` (npx) counts.
 */
function commandLineProblems(text: string): string[] {
  const problems: string[] = [];
  // Comment lines are prose; lines continued with a backslash are one command line.
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*(#|\/\/)/.test(line))
    .join('\n')
    .replace(/\\\n\s*/g, ' ');
  for (const [, rest = ''] of joined.matchAll(/(?<![\w/.-])gemini-auth(?:@[\w.^~-]+)?(?![\w/-])([^\n|;&)`]*)/g)) {
    const words = rest.trim().split(/\s+/).filter(Boolean);
    const [command, ...args] = words;
    if (command === undefined || command.startsWith('#')) continue;
    if (command === '--help' || command === '--version') continue;
    if (!(COMMANDS as readonly string[]).includes(command)) {
      problems.push(`gemini-auth ${command}: no such command`);
      continue;
    }
    for (let index = 0; index < args.length; index++) {
      const arg = args[index] ?? '';
      if (arg.startsWith('#')) break;
      if (!arg.startsWith('--')) {
        problems.push(`gemini-auth ${command}: "${arg}" is no option`);
        continue;
      }
      const name = arg.slice(2).split('=')[0] ?? '';
      if (!Object.hasOwn(OPTIONS, name) || !takes(command as Command, name as OptionName)) {
        problems.push(`gemini-auth ${command}: no option --${name}`);
        // Its value, if it has one, is no second mistake.
        if (!arg.includes('=') && args[index + 1] !== undefined && !args[index + 1]?.startsWith('-')) index++;
        continue;
      }
      if (OPTIONS[name as OptionName].type === 'string' && !arg.includes('=')) {
        if (args[index + 1] === undefined || args[index + 1]?.startsWith('--')) problems.push(`gemini-auth ${command}: --${name} needs a value`);
        index++;
      }
    }
  }
  for (const [variable] of text.matchAll(/\bGEMINI_AUTH_[A-Z_]+\b/g)) {
    if (!CLI_VARIABLES.has(variable)) problems.push(`${variable}: the CLI reads no such variable`);
  }
  return problems;
}

describe('the command line in examples/ci/ and README\'s Beyond GitHub Actions', () => {
  const beyond = section(readme, 'Beyond GitHub Actions');

  it('has an example for GitLab CI, CircleCI, Jenkins and a laptop, the YAML ones parsing', () => {
    assert.deepEqual(ciExampleFiles.sort(), ['examples/ci/.gitlab-ci.yml', 'examples/ci/Jenkinsfile', 'examples/ci/circleci-config.yml', 'examples/ci/laptop.sh']);
    for (const path of ciExampleFiles.filter((name) => /\.ya?ml$/.test(name))) {
      const { errors } = parseDocument(read(path));
      assert.deepEqual(errors.map((error) => error.message), [], path);
    }
    assert.ok(isObject((parse(read('examples/ci/.gitlab-ci.yml')) as JsonObject).default), 'GitLab: a default with id_tokens');
    assert.ok(isObject((parse(read('examples/ci/circleci-config.yml')) as JsonObject).workflows), 'CircleCI: a workflow');
  });

  it('call only commands and options that exist, and read only variables the CLI reads', () => {
    const sources: [string, string][] = [...ciExampleFiles.map((path): [string, string] => [path, read(path)]), ...codeBlocks(beyond).map((block): [string, string] => [`README.md (Beyond GitHub Actions):${block.line}`, block.content])];
    for (const [where, text] of sources) assert.deepEqual(commandLineProblems(text), [], where);
    assert.deepEqual(commandLineProblems(beyond.replace(/```[\s\S]*?```/g, '')).filter((problem) => problem.startsWith('GEMINI_AUTH_')), [], 'README (Beyond GitHub Actions), its text');
  });

  it('are checked for real: the check finds each kind of mistake', () => {
    assert.deepEqual(commandLineProblems('token=$(gemini-auth token --min-lifetime 60)\neval "$(npx --yes gemini-auth@1 login --format=dotenv)"'), []);
    assert.deepEqual(commandLineProblems('gemini-auth tokens'), ['gemini-auth tokens: no such command']);
    assert.deepEqual(commandLineProblems('gemini-auth token --format json'), ['gemini-auth token: no option --format']);
    assert.deepEqual(commandLineProblems('gemini-auth verify --modle x'), ['gemini-auth verify: no option --modle']);
    assert.deepEqual(commandLineProblems('gemini-auth login \\\n  --credentials-file-dir'), ['gemini-auth login: --credentials-file-dir needs a value']);
    assert.deepEqual(commandLineProblems('gemini-auth verify extra'), ['gemini-auth verify: "extra" is no option']);
    assert.deepEqual(commandLineProblems('GEMINI_AUTH_CREDENTIAL_FILE=x'), ['GEMINI_AUTH_CREDENTIAL_FILE: the CLI reads no such variable']);
    assert.deepEqual(commandLineProblems('uses: gemini-auth/gemini-auth@v1\nrun: gemini-auth-token --json\n# gemini-auth finds the token'), [], 'the action, its token command and comments are not the CLI');
  });
});

describe('release', () => {
  it('CHANGELOG.md keeps an Unreleased section and dated semantic versions, newest first', () => {
    const headings = changelog.split('\n').filter((line) => line.startsWith('## '));
    assert.equal(headings[0], '## [Unreleased]');
    const versions = headings.slice(1).map((heading) => {
      const match = /^## \[(\d+)\.(\d+)\.(\d+)\] - \d{4}-\d{2}-\d{2}$/.exec(heading);
      assert.ok(match, `"${heading}" is not "## [X.Y.Z] - YYYY-MM-DD"`);
      return match.slice(1).map(Number);
    });
    const newestFirst = [...versions].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]! || b[2]! - a[2]!);
    assert.deepEqual(versions, newestFirst);
  });

  it('has the notes of the version package.json names: pushing its tag releases it', () => {
    assert.match(packageVersion, /^\d+\.\d+\.\d+$/);
    assert.ok(releaseNotes(changelog, packageVersion).length > 0);
    assert.ok(releaseTags.some((filter) => filter.test(`v${packageVersion}`)), `the release workflow does not run for the tag v${packageVersion}`);
  });

  it('takes the notes of a version from CHANGELOG.md, and refuses a version it lacks', () => {
    const text = '# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-02-01\n### Added\n- B.\n\n## [1.0.0] - 2026-01-01\n### Added\n- A.\n\n[1.1.0]: https://example.com/1.1.0\n';
    assert.equal(releaseNotes(text, '1.1.0'), '### Added\n- B.\n');
    assert.equal(releaseNotes(text, '1.0.0'), '### Added\n- A.\n');
    assert.throws(() => releaseNotes(text, '1.2.0'), /no heading "## \[1\.2\.0\] - YYYY-MM-DD"/);
    assert.throws(() => releaseNotes(text, '1.0'), /not a version/);
    assert.throws(() => releaseNotes('## [2.0.0] - 2026-03-01\n\n## [1.0.0] - 2026-01-01\n- A.\n', '2.0.0'), /empty/);
  });

  it('the release workflow runs on a version tag or by hand, with every check of .ci/run, and moves the major tag', () => {
    const on = releaseWorkflow.on as JsonObject;
    assert.ok(isObject(on.push) && Array.isArray(on.push.tags) && on.push.tags.length > 0, 'on: push: tags');
    assert.ok(!releaseTags.some((filter) => filter.test(MAJOR_TAG)), 'moving the major tag must not start another release');
    assert.ok(isObject(on.workflow_dispatch) && isObject(on.workflow_dispatch.inputs) && 'version' in on.workflow_dispatch.inputs, 'on: workflow_dispatch with a version');
    const runs = [...strings(releaseWorkflow)].join('\n');
    for (const command of read('.ci/run').match(/^npm (?:ci|test|run \S+)/gm) ?? []) assert.ok(runs.includes(command), `release.yml does not run ${command}`);
    assert.match(runs, /git status --porcelain -- dist/, 'release.yml checks that dist/ is current');
    assert.match(runs, /node scripts\/release-notes\.ts/, 'release.yml takes its notes from CHANGELOG.md');
    assert.match(runs, /package\.json/, 'release.yml checks that package.json has the version');
    assert.match(runs, /merge-base --is-ancestor/, 'release.yml releases only commits of main');
    assert.match(runs, /git push --force origin "refs\/tags\/\$MAJOR"/, 'release.yml moves the major tag');
  });
});
