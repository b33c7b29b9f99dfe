// The public interface as users' workflows and CI jobs name it: what action.yml
// runs, the inputs with their defaults, the outputs, and the command line's
// package. The names and defaults below are the contract's own (they never
// change within a major version); the behaviour behind each is tested through the
// built action in test/e2e/ and the built CLI in test/cli/.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, unknown>;
  runs: Record<string, unknown>;
}

const action = parse(read('action.yml')) as ActionYml;

/**
 * The contract's inputs and the default action.yml declares for each. Where the
 * contract's default is computed (the audience from the provider, the project
 * from the credentials, $RUNNER_TEMP), action.yml declares it empty and the code
 * computes it: a runner would otherwise pass the words as the value.
 */
const CONTRACT_INPUTS: Record<string, string> = {
  credentials_json: '',
  workload_identity_provider: '',
  service_account: '',
  audience: '',
  scopes: 'https://www.googleapis.com/auth/cloud-platform, https://www.googleapis.com/auth/generative-language.retriever',
  project_id: '',
  quota_project_id: '',
  access_token_lifetime: '3600s',
  create_credentials_file: 'true',
  credentials_file_dir: '',
  export_environment_variables: 'true',
  cleanup_credentials: 'true',
  verify: 'false',
  verify_model: '',
  gemini_api: 'generativelanguage',
  vertex_location: 'global',
  cache: 'false',
  cache_encryption_key: '',
  min_token_lifetime: '600',
  retries: '3',
  universe: 'googleapis.com',
  endpoints: '',
};

const CONTRACT_OUTPUTS = ['access_token', 'expires_at', 'auth_type', 'principal', 'project_id', 'credentials_file_path', 'models', 'cache_hit', 'verified'];

describe('action.yml, as the contract names it', () => {
  it('runs the built main and post steps on node24, the post step always', () => {
    // The contract's paths of the two bundles; this file only reads action.yml, it runs neither.
    const bundle = (step: string): string => `dist/${step}/index.js`;
    assert.deepEqual(action.runs, { using: 'node24', main: bundle('main'), post: bundle('post'), 'post-if': 'always()' });
    for (const entry of [bundle('main'), bundle('post')]) assert.ok(existsSync(join(ROOT, entry)), `${entry} is built`);
  });

  it('declares every input of the contract with its default, none of them required', () => {
    for (const [name, value] of Object.entries(CONTRACT_INPUTS)) {
      const input = action.inputs[name];
      assert.ok(input, `the input ${name} is declared`);
      assert.equal(input.default, value, `the default of ${name}`);
      assert.notEqual(input.required, true, `${name} is not required: exactly one of the two credential inputs is, which the code checks`);
    }
  });

  it('declares every output of the contract', () => {
    for (const name of CONTRACT_OUTPUTS) assert.ok(name in action.outputs, `the output ${name} is declared`);
  });
});

describe('the npm package gemini-auth', () => {
  it('has a bin named gemini-auth: the built CLI, a Node script, in the published files, for Node 24', () => {
    const manifest = JSON.parse(read('package.json')) as { name: string; bin: Record<string, string>; files: string[]; engines: { node: string } };
    assert.equal(manifest.name, 'gemini-auth');
    assert.deepEqual(manifest.bin, { 'gemini-auth': 'dist/cli/index.js' });
    assert.ok(manifest.files.some((pattern) => 'dist/cli/index.js'.startsWith(pattern.replace(/\*.*$/, ''))), `files ${JSON.stringify(manifest.files)} publish dist/cli/`);
    assert.equal(manifest.engines.node, '>=24');
    assert.match(read('dist/cli/index.js'), /^#!\/usr\/bin\/env node\n/, 'npx runs it with node');
  });
});
