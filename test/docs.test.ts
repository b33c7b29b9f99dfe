// Keeps the documentation true to the action: README's tables match action.yml,
// every workflow in README and examples/ uses only inputs and outputs that exist,
// README quotes the examples as they are, every error message the action can print
// has a Troubleshooting entry, and the release machinery finds its notes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parse, parseDocument } from 'yaml';
import { releaseNotes } from '../scripts/release-notes.ts';
import { COMMANDS, OPTIONS, takes, variableOf, type Command, type OptionName } from '../src/cli/options.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** How users refer to the published action; `./` is the same action inside this repository. */
const PUBLISHED = 'gemini-auth/gemini-auth@v1';

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

// ---------------------------------------------------------------------------
// Markdown helpers

/** The text under `## title` up to the next heading of level 2 or 1 (a `#` comment in a code block is none). */
function section(markdown: string, title: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line === `## ${title}`);
  assert.ok(start >= 0, `README.md has no section "## ${title}"`);
  let fenced = false;
  const end = lines.findIndex((line, index) => {
    if (line.startsWith('```')) fenced = !fenced;
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

function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(\S*)\s*$/.exec(lines[index] ?? '');
    if (!open) continue;
    const close = lines.findIndex((line, at) => at > index && line === '```');
    assert.ok(close > index, `README.md:${index + 1}: code block is not closed`);
    const marker = /^<!-- example: (\S+) -->$/.exec(lines[index - 1] ?? '');
    blocks.push({ language: open[1] ?? '', content: `${lines.slice(index + 1, close).join('\n')}\n`, line: index + 1, quotes: marker?.[1] });
    index = close;
  }
  return blocks;
}

const yamlBlocks = codeBlocks(readme).filter((block) => block.language === 'yaml' || block.language === 'yml');
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
  ...yamlBlocks.map((block): [string, string] => [`README.md:${block.line}`, block.content]),
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

const BOOLEAN_INPUTS = Object.entries(action.inputs)
  .filter(([, input]) => input.default === 'true' || input.default === 'false')
  .map(([name]) => name);
const SECRET_INPUTS = ['credentials_json', 'cache_encryption_key'];
const EXPRESSION = /^\$\{\{.*\}\}$/s;

/** What is wrong with the gemini-auth steps of one YAML document; empty when nothing is. */
function workflowProblems(document: Json): string[] {
  const problems: string[] = [];
  const steps = [...objects(document)].filter((object) => typeof object.uses === 'string' || typeof object.run === 'string');
  const ids = new Set(steps.map((step) => step.id).filter((id): id is string => typeof id === 'string'));
  const ourIds = new Set(steps.filter(isGeminiAuth).map((step) => step.id).filter((id): id is string => typeof id === 'string'));

  for (const step of steps.filter(isGeminiAuth)) {
    if (step.uses !== './' && step.uses !== PUBLISHED) problems.push(`uses: ${String(step.uses)} (write ${PUBLISHED})`);
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
      if (SECRET_INPUTS.includes(name) && !/^\$\{\{\s*secrets\.\w+\s*\}\}$/.test(text)) problems.push(`input ${name} must come from \${{ secrets.NAME }}, never be written out`);
    }
  }

  for (const text of strings(document)) {
    for (const [, id, output] of text.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (!ids.has(id ?? '')) problems.push(`steps.${id}.outputs.${output}: there is no step with id ${id}`);
      else if (ourIds.has(id ?? '') && !((output ?? '') in action.outputs)) problems.push(`steps.${id}.outputs.${output}: action.yml declares no output ${output}`);
    }
  }

  // Workload identity needs the job's OIDC token; a job's own permissions replace the workflow's.
  if (isObject(document) && isObject(document.jobs)) {
    for (const [name, job] of Object.entries(document.jobs)) {
      if (!isObject(job)) continue;
      const federated = [...objects(job)].some((step) => isGeminiAuth(step) && isObject(step.with) && step.with.workload_identity_provider !== undefined);
      const permissions = job.permissions ?? document.permissions;
      if (federated && !(isObject(permissions) && permissions['id-token'] === 'write')) problems.push(`job ${name} uses workload_identity_provider without permissions id-token: write`);
    }
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

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The first argument of every `new ActionError(...)` in src/, each branch of a `?:` on its own. */
function actionErrorMessages(): ErrorMessage[] {
  const messages: ErrorMessage[] = [];
  for (const file of sourceFiles('src')) {
    const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
    const constants = new Map<string, string>();
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer && ts.isStringLiteralLike(declaration.initializer)) constants.set(declaration.name.text, declaration.initializer.text);
      }
    }
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

describe('action.yml', () => {
  it('has what the Marketplace lists: name, author, branding, a description of at most 125 characters', () => {
    assert.ok(action.name, 'name');
    assert.ok(action.author, 'author');
    assert.ok(action.branding?.icon && action.branding.color, 'branding icon and color');
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

  it('has YAML code blocks that all parse', () => {
    assert.ok(yamlBlocks.length >= 5, 'README shows workflows');
    for (const block of yamlBlocks) {
      const { errors } = parseDocument(block.content);
      assert.deepEqual(errors.map((error) => error.message), [], `README.md:${block.line}`);
    }
  });

  it('quotes every example whole, as the file is', () => {
    const quoted = codeBlocks(readme).filter((block) => block.quotes);
    const examples = [...exampleFiles, ...ciExampleFiles];
    for (const block of quoted) {
      assert.ok(examples.includes(block.quotes ?? ''), `README.md:${block.line} quotes ${block.quotes}, which does not exist`);
      assert.equal(block.content, read(block.quotes ?? ''), `README.md:${block.line} differs from ${block.quotes}`);
    }
    assert.deepEqual([...new Set(quoted.map((block) => block.quotes))].sort(), examples.sort(), 'every example is quoted');
  });

  it('has a Troubleshooting entry for every error message the action can print', () => {
    const troubleshooting = section(readme, 'Troubleshooting');
    const messages = actionErrorMessages();
    assert.ok(messages.length >= 50, `found only ${messages.length} ActionError messages in src/`);
    const missing = messages.filter((message) => !message.pattern.test(troubleshooting)).map((message) => `${message.where}: ${message.shown}`);
    assert.deepEqual(missing, [], 'quote the start of each of these messages in README.md, Troubleshooting');
    assert.match(troubleshooting, /gemini-auth failed unexpectedly/, 'the message of an unexpected error');
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

describe('workflows in README.md, examples/ and .github/workflows/', () => {
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
    const workflow = (step: string, permissions = 'contents: read'): Json =>
      parse(`permissions:\n  ${permissions}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${step}\n      - run: echo "\${{ steps.auth.outputs.access_token }}"\n`) as Json;
    const step = (lines: string): string => `      - id: auth\n        uses: ${PUBLISHED}\n        with:\n${lines}`;
    assert.deepEqual(workflowProblems(workflow(step('          credentials_json: ${{ secrets.GOOGLE_CREDENTIALS }}'))), []);
    assert.deepEqual(workflowProblems(workflow(step('          credentials: ${{ secrets.GOOGLE_CREDENTIALS }}'))), ['input credentials is not declared in action.yml']);
    assert.deepEqual(workflowProblems(workflow(step('          credentials_json: ${{ secrets.X }}\n          verify: maybe'))), ['input verify: "maybe" is not true or false']);
    assert.match(workflowProblems(workflow(step('          credentials_json: \'{"type": "authorized_user"}\'')))[0] ?? '', /must come from/);
    assert.match(workflowProblems(workflow(step('          workload_identity_provider: projects/1/locations/global/workloadIdentityPools/p/providers/q')))[0] ?? '', /id-token: write/);
    assert.deepEqual(workflowProblems(workflow(step('          workload_identity_provider: projects/1/locations/global/workloadIdentityPools/p/providers/q'), 'id-token: write')), []);
    const wrongOutput = parse(`steps:\n  - id: auth\n    uses: ${PUBLISHED}\n  - run: echo "\${{ steps.auth.outputs.token }} \${{ steps.other.outputs.x }}"\n`) as Json;
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
  const changelog = read('CHANGELOG.md');

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

  it('takes the notes of a version from CHANGELOG.md, and refuses a version it lacks', () => {
    const text = '# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-02-01\n### Added\n- B.\n\n## [1.0.0] - 2026-01-01\n### Added\n- A.\n\n[1.1.0]: https://example.com/1.1.0\n';
    assert.equal(releaseNotes(text, '1.1.0'), '### Added\n- B.\n');
    assert.equal(releaseNotes(text, '1.0.0'), '### Added\n- A.\n');
    assert.throws(() => releaseNotes(text, '1.2.0'), /no heading "## \[1\.2\.0\] - YYYY-MM-DD"/);
    assert.throws(() => releaseNotes(text, '1.0'), /not a version/);
    assert.throws(() => releaseNotes('## [2.0.0] - 2026-03-01\n\n## [1.0.0] - 2026-01-01\n- A.\n', '2.0.0'), /empty/);
  });

  it('the release workflow runs on a version tag or by hand, with every check of .ci/run', () => {
    const release = parse(read('.github/workflows/release.yml')) as JsonObject;
    const on = release.on as JsonObject;
    assert.ok(isObject(on.push) && Array.isArray(on.push.tags) && on.push.tags.length > 0, 'on: push: tags');
    assert.ok(isObject(on.workflow_dispatch) && isObject(on.workflow_dispatch.inputs) && 'version' in on.workflow_dispatch.inputs, 'on: workflow_dispatch with a version');
    const runs = [...strings(release)].join('\n');
    for (const command of read('.ci/run').match(/^npm (?:ci|test|run \S+)/gm) ?? []) assert.ok(runs.includes(command), `release.yml does not run ${command}`);
    assert.match(runs, /git status --porcelain -- dist/, 'release.yml checks that dist/ is current');
    assert.match(runs, /node scripts\/release-notes\.ts/, 'release.yml takes its notes from CHANGELOG.md');
  });
});
